/**
 * Prints the public surface of a built entry point (a `dist/*.d.ts`) as stable, sorted text, with the
 * TypeScript compiler API: every exported name with its kind and its type as the checker prints it.
 * Used by test/api-surface.test.ts.
 *
 * - function: one line per overload (`function name<T>(a: A): R`).
 * - const / let: the declared type.
 * - type: the alias expanded one level (`type A = ...`), with its type parameters.
 * - interface / class: a header (with `extends` / `implements`), then one indented line per public
 *   member: constructors, static members, instance members. Members inherited from third-party code
 *   (e.g. Sequelize's `Model`) are left out; members inherited from this package's own classes are in.
 * - enum: the members with their values.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const TYPE_FLAGS = ts.TypeFormatFlags.NoTruncation;

export interface ExportEntry {
  name: string;
  kind: 'class' | 'function' | 'const' | 'let' | 'var' | 'type' | 'interface' | 'enum' | 'namespace' | 'unknown';
  text: string;
  /** Files the export is declared in (after following aliases), absolute. */
  declarationFiles: string[];
  symbol: ts.Symbol;
}

export function createDtsProgram(files: string[]): ts.Program {
  return ts.createProgram({
    rootNames: files,
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts'],
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
    },
  });
}

const isThirdParty = (file: string) => file.split(path.sep).includes('node_modules') || /[\\/]typescript[\\/]lib[\\/]/.test(file);

function isPublicMember(member: ts.Symbol): boolean {
  if (member.getName().startsWith('#') || member.getName().startsWith('__@')) return false;
  for (const decl of member.getDeclarations() ?? []) {
    const flags = ts.getCombinedModifierFlags(decl as ts.Declaration);
    if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
    if ((decl as ts.NamedDeclaration).name && ts.isPrivateIdentifier((decl as ts.NamedDeclaration).name!)) return false;
  }
  return true;
}

function declaredInPackage(member: ts.Symbol): boolean {
  const decls = member.getDeclarations() ?? [];
  // Synthetic members (mapped types etc.) have no declarations: keep them.
  return decls.length === 0 || decls.some((d) => !isThirdParty(d.getSourceFile().fileName));
}

function memberLines(checker: ts.TypeChecker, type: ts.Type, location: ts.Node, prefix: string): string[] {
  const lines: string[] = [];
  for (const member of checker.getPropertiesOfType(type)) {
    if (!isPublicMember(member) || !declaredInPackage(member)) continue;
    const name = member.getName();
    if (prefix === 'static ' && name === 'prototype') continue;
    const decl = member.getDeclarations()?.[0];
    const memberType = checker.getTypeOfSymbolAtLocation(member, location);
    const isMethod = !!decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl));
    if (isMethod) {
      const optional = member.flags & ts.SymbolFlags.Optional ? '?' : '';
      for (const sig of checker.getSignaturesOfType(memberType, ts.SignatureKind.Call)) {
        lines.push(`${prefix}${name}${optional}${checker.signatureToString(sig, location, TYPE_FLAGS)}`);
      }
      continue;
    }
    const readonly =
      decl && (ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Readonly || (ts.isGetAccessor(decl) && !member.getDeclarations()!.some(ts.isSetAccessor)))
        ? 'readonly '
        : '';
    const optional = member.flags & ts.SymbolFlags.Optional ? '?' : '';
    lines.push(`${prefix}${readonly}${name}${optional}: ${checker.typeToString(memberType, location, TYPE_FLAGS)}`);
  }
  const indexInfos = checker.getIndexInfosOfType(type);
  for (const info of indexInfos) {
    lines.push(
      `${prefix}${info.isReadonly ? 'readonly ' : ''}[key: ${checker.typeToString(info.keyType)}]: ${checker.typeToString(info.type, location, TYPE_FLAGS)}`,
    );
  }
  return lines.sort();
}

/** The type parameters as declared (`<M extends Model, K = string>`). */
function typeParams(symbol: ts.Symbol): string {
  const decl = symbol
    .getDeclarations()
    ?.find((d): d is ts.TypeAliasDeclaration | ts.InterfaceDeclaration | ts.ClassDeclaration =>
      ts.isTypeAliasDeclaration(d) || ts.isInterfaceDeclaration(d) || ts.isClassDeclaration(d),
    );
  const params = decl?.typeParameters?.map((p) => p.getText().replace(/\s+/g, ' ')) ?? [];
  return params.length ? `<${params.join(', ')}>` : '';
}

function heritage(decl: ts.ClassDeclaration | ts.InterfaceDeclaration | undefined): string {
  if (!decl?.heritageClauses) return '';
  return decl.heritageClauses.map((clause) => ` ${clause.getText().replace(/\s+/g, ' ')}`).join('');
}

function describeClass(checker: ts.TypeChecker, symbol: ts.Symbol, decl: ts.ClassDeclaration | undefined, location: ts.Node): string {
  const staticType = checker.getTypeOfSymbolAtLocation(symbol, location);
  const instanceType = checker.getDeclaredTypeOfSymbol(symbol);
  const abstract = decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract ? 'abstract ' : '';
  const lines = [`${abstract}class ${symbol.getName()}${typeParams(symbol)}${heritage(decl)}`];
  for (const sig of checker.getSignaturesOfType(staticType, ts.SignatureKind.Construct)) {
    if (sig.declaration && isThirdParty(sig.declaration.getSourceFile().fileName)) continue;
    lines.push(`  constructor${checker.signatureToString(sig, location, TYPE_FLAGS, ts.SignatureKind.Construct).replace(/^new /, '')}`);
  }
  lines.push(...memberLines(checker, staticType, location, 'static ').map((l) => `  ${l}`));
  lines.push(...memberLines(checker, instanceType, location, '').map((l) => `  ${l}`));
  return lines.join('\n');
}

function describeInterface(checker: ts.TypeChecker, symbol: ts.Symbol, decl: ts.InterfaceDeclaration | undefined, location: ts.Node): string {
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  const lines = [`interface ${symbol.getName()}${typeParams(symbol)}${heritage(decl)}`];
  for (const sig of checker.getSignaturesOfType(type, ts.SignatureKind.Call)) lines.push(`  ${checker.signatureToString(sig, location, TYPE_FLAGS)}`);
  for (const sig of checker.getSignaturesOfType(type, ts.SignatureKind.Construct)) {
    lines.push(`  ${checker.signatureToString(sig, location, TYPE_FLAGS, ts.SignatureKind.Construct)}`);
  }
  lines.push(...memberLines(checker, type, location, '').map((l) => `  ${l}`));
  return lines.join('\n');
}

/** One export (possibly several meanings: a value and a type of the same name). */
function describeExport(checker: ts.TypeChecker, exported: ts.Symbol, sourceFile: ts.SourceFile): ExportEntry[] {
  const name = exported.getName();
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decls = symbol.getDeclarations() ?? [];
  const location = decls[0] ?? sourceFile;
  const declarationFiles = [...new Set(decls.map((d) => d.getSourceFile().fileName))];
  const entries: ExportEntry[] = [];
  const add = (kind: ExportEntry['kind'], text: string) => entries.push({ name, kind, text, declarationFiles, symbol });
  const f = symbol.flags;

  if (f & ts.SymbolFlags.Class) {
    add('class', describeClass(checker, symbol, decls.find(ts.isClassDeclaration), location));
  } else if (f & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, location);
    const sigs = checker.getSignaturesOfType(type, ts.SignatureKind.Call);
    add('function', sigs.map((sig) => `function ${name}${checker.signatureToString(sig, location, TYPE_FLAGS)}`).join('\n'));
  } else if (f & ts.SymbolFlags.Enum) {
    const members = (symbol.exports ? [...(symbol.exports.values() as Iterable<ts.Symbol>)] : []).map((m) => {
      const decl = m.getDeclarations()?.[0];
      const value = decl && ts.isEnumMember(decl) ? checker.getConstantValue(decl) : undefined;
      return `  ${m.getName()} = ${JSON.stringify(value)}`;
    });
    add('enum', [`enum ${name}`, ...members].join('\n'));
  } else if (f & ts.SymbolFlags.Variable) {
    const decl = decls.find(ts.isVariableDeclaration);
    const nodeFlags = decl ? ts.getCombinedNodeFlags(decl) : 0;
    const kind = nodeFlags & ts.NodeFlags.Const ? 'const' : nodeFlags & ts.NodeFlags.Let ? 'let' : 'var';
    const type = checker.getTypeOfSymbolAtLocation(symbol, location);
    add(kind, `${kind} ${name}: ${checker.typeToString(type, location, TYPE_FLAGS)}`);
  } else if (f & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
    const names = checker.getExportsOfModule(symbol).map((s) => s.getName()).sort();
    add('namespace', `namespace ${name} { ${names.join(', ')} }`);
  }

  if (f & ts.SymbolFlags.Interface && !(f & ts.SymbolFlags.Class)) {
    add('interface', describeInterface(checker, symbol, decls.find(ts.isInterfaceDeclaration), location));
  }
  if (f & ts.SymbolFlags.TypeAlias) {
    const decl = decls.find(ts.isTypeAliasDeclaration);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const printed = checker.typeToString(type, decl ?? location, TYPE_FLAGS | ts.TypeFormatFlags.InTypeAlias);
    add('type', `type ${name}${typeParams(symbol)} = ${printed}`);
  }
  if (entries.length === 0) add('unknown', `${name}: <symbol flags ${f}>`);
  return entries;
}

/** Every export of one declaration file, described and sorted by name, then kind. */
export function describeModule(program: ts.Program, file: string): ExportEntry[] {
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);
  if (!sourceFile) throw new Error(`${file} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
  if (!moduleSymbol) throw new Error(`${file} is not a module (no exports)`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .flatMap((s) => describeExport(checker, s, sourceFile))
    .sort((a, b) => (a.name === b.name ? a.kind.localeCompare(b.kind) : a.name < b.name ? -1 : 1));
}

/**
 * The snapshot text: a header, then one block per export; absolute paths are replaced by `<root>`, and
 * a type the checker reaches through one of tsup's shared chunks by its minified alias
 * (`import(".../dist/index-B8RZi8vu").J`) is named as declared, from a stable `<chunk>`
 * (`import("<root>/dist/<chunk>").JsonObject`): the snapshot changes with the API, not with the bundling.
 */
export function renderSurface(entries: ExportEntry[], title: string, root: string): string {
  const body = entries.map((e) => e.text).join('\n');
  const text = `// Public API of ${title} (generated by test/api-surface.test.ts; update with -u)\n// ${entries.length} exports\n\n${body}\n`;
  const chunks = new Map<string, Map<string, string>>();
  const named = text.replace(/import\("([^"]+)"\)\.([\w$]+)/g, (whole, file: string, alias: string) => {
    if (!/^[\w.]+-[\w-]{8}$/.test(path.basename(file)) || !file.startsWith(path.join(root, 'dist'))) return whole;
    if (!chunks.has(file)) chunks.set(file, chunkExports(`${file}.d.ts`));
    const name = chunks.get(file)!.get(alias);
    if (!name) throw new Error(`${alias} is not exported by ${file}.d.ts`);
    return `import("${path.join(root, 'dist', '<chunk>')}").${name}`;
  });
  return named.split(root).join('<root>');
}

/** A chunk's `export { type JsonObject as J, Category as C }`: each alias → the declared name. */
function chunkExports(file: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, list] of readFileSync(file, 'utf8').matchAll(/^export \{([^}]*)\}/gm)) {
    for (const item of list!.split(',')) {
      const [name, alias] = item.replace(/^\s*type\s+/, '').trim().split(/\s+as\s+/);
      if (name) names.set(alias ?? name, name);
    }
  }
  return names;
}

/** Entry points of package.json "exports": subpath → the `types` of its `import` condition. */
export function importTypeEntries(exportsField: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const typesOf = (target: unknown, underImport: boolean): string | undefined => {
    if (typeof target === 'string') return underImport && target.endsWith('.d.ts') ? target : undefined;
    if (!target || typeof target !== 'object' || Array.isArray(target)) return undefined;
    const conditions = target as Record<string, unknown>;
    if (conditions.import !== undefined) {
      const found = typesOf(conditions.import, true);
      if (found) return found;
    }
    if (typeof conditions.types === 'string' && (underImport || !('require' in conditions))) return conditions.types;
    for (const [key, value] of Object.entries(conditions)) {
      if (key === 'require' || key === 'import' || key === 'types') continue;
      const found = typesOf(value, underImport);
      if (found) return found;
    }
    return undefined;
  };
  if (typeof exportsField === 'string' || (exportsField && typeof exportsField === 'object' && !Object.keys(exportsField).some((k) => k.startsWith('.')))) {
    const t = typesOf(exportsField, false);
    if (t) out.set('.', t);
    return out;
  }
  for (const [subpath, target] of Object.entries((exportsField ?? {}) as Record<string, unknown>)) {
    const t = typesOf(target, false);
    if (t) out.set(subpath, t);
  }
  return out;
}
