/**
 * Extracts the TypeScript examples from the TSDoc `@example` blocks in src/ and the fenced blocks in
 * README.md, and type-checks them in-process with the TypeScript compiler API (used by
 * test/examples.test.ts).
 *
 * How snippets are compiled
 * -------------------------
 * - Each snippet becomes its own module file in a scratch directory under node_modules/.cache (inside
 *   the repository, so bare imports such as 'sequelize' or 'zod' resolve from node_modules), with
 *   `export {};` appended, so top-level await works (module NodeNext, target ES2022, "type": "module").
 * - Compiler options are those of tsconfig.json (read and parsed, so they stay in sync), plus `noEmit`
 *   and `paths` that map 'foodsave-db' (and 'foodsave-db/models', '/ops', '/migrations' when the
 *   matching src/<sub>/index.ts exists) to the SOURCE entry files.
 * - README snippets are compiled exactly as written: each must import and declare what it uses.
 * - TSDoc snippets get a generated header (one line) that imports
 *     1. every name exported by test/support/example-prelude.ts (the ambient values examples use, such
 *        as `engine`, `repos`, `userId`), and
 *     2. every name exported by the package (src/index.ts), values and types alike,
 *   minus the names the snippet itself declares at top level (its own imports, consts, functions,
 *   classes, types), so a snippet may import or declare anything itself without a clash. Prelude names
 *   win over package names. The export lists are read with the type checker, so they follow the API
 *   as it changes; the prelude is the only hand-maintained part.
 *     3. Convention: any other identifier ending in `Id` (`milkId`, `conversationId`) that the snippet
 *        uses but never declares is declared as `string` (`declare const milkId: string;`), so examples
 *        can name ids freely without growing the prelude.
 * - All snippets are checked by one ts.Program (a small first program only lists the exports; its
 *   source files are reused).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Snippet {
  /** Stable, unique id (used for the scratch file name). */
  id: string;
  /** Repository-relative file the snippet came from, e.g. `src/ops/health.ts` or `README.md`. */
  source: string;
  /** 1-based line of the `@example` tag (or of the README fence). */
  exampleLine: number;
  /** 1-based line, in `source`, of the snippet's first code line. */
  firstLine: number;
  /** Characters stripped from the start of each code line (the ` * ` comment prefix). */
  prefixLengths: number[];
  code: string;
  /** TSDoc snippets get the prelude + package names in scope; README snippets compile on their own. */
  prelude: boolean;
}

export interface SnippetDiagnostic {
  /** `source:line:column` in the ORIGINAL file. */
  location: string;
  code: number;
  message: string;
}

export interface CheckResult {
  /** Diagnostics per snippet id (an empty array: the snippet compiles). */
  bySnippet: Map<string, SnippetDiagnostic[]>;
  /** Diagnostics outside the snippets that make the whole check meaningless (bad options, broken prelude). */
  global: string[];
}

const FENCE_OPEN = /^(\s*)```(ts|typescript)\b[^\n]*$/;
const FENCE_CLOSE = /^\s*```\s*$/;

/** Fenced ts/typescript blocks inside `@example` tags of the JSDoc comments of one source file. */
export function extractTsDocExamples(source: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  let inComment = false;
  let exampleLine = 0; // 1-based line of the current @example, 0 outside one
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!inComment) {
      if (/^\s*\/\*\*/.test(line) && !/\*\/\s*$/.test(line.replace(/^\s*\/\*\*/, ''))) inComment = true;
      else if (/^\s*\/\*\*.*@example/.test(line)) exampleLine = 0; // one-line comment: nothing to extract
      continue;
    }
    if (/\*\/\s*$/.test(line) && !FENCE_OPEN.test(stripStar(line).text)) {
      inComment = false;
      exampleLine = 0;
      continue;
    }
    const { text: body } = stripStar(line);
    if (/^\s*@example\b/.test(body)) {
      exampleLine = i + 1;
      continue;
    }
    if (/^\s*@\w+/.test(body)) {
      exampleLine = 0; // another tag ends the example
      continue;
    }
    if (exampleLine === 0 || !FENCE_OPEN.test(body)) continue;
    // A fenced block: collect until the closing fence (or the end of the comment).
    const code: string[] = [];
    const prefixLengths: number[] = [];
    const firstLine = i + 2;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const raw = lines[j]!;
      if (/\*\/\s*$/.test(raw)) break;
      const stripped = stripStar(raw);
      if (FENCE_CLOSE.test(stripped.text)) break;
      code.push(stripped.text);
      prefixLengths.push(stripped.prefix);
    }
    snippets.push({
      id: `${source}#${snippets.length + 1}`,
      source,
      exampleLine,
      firstLine,
      prefixLengths,
      code: code.join('\n'),
      prelude: true,
    });
    i = j; // the closing fence (or the comment end, handled by the next iteration's state)
    if (/\*\/\s*$/.test(lines[j] ?? '')) {
      inComment = false;
      exampleLine = 0;
    }
  }
  return snippets;
}

/** Removes the JSDoc ` * ` prefix from one comment line. */
function stripStar(line: string): { text: string; prefix: number } {
  const match = /^\s*\* ?/.exec(line);
  if (!match) return { text: line, prefix: 0 };
  return { text: line.slice(match[0].length), prefix: match[0].length };
}

/** Fenced ```ts / ```typescript blocks of a Markdown file. */
export function extractMarkdownExamples(source: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !FENCE_CLOSE.test(lines[j]!); j++) code.push(lines[j]!.slice(indent));
    snippets.push({
      id: `${source}#${snippets.length + 1}`,
      source,
      exampleLine: i + 1,
      firstLine: i + 2,
      prefixLengths: code.map(() => indent),
      code: code.join('\n'),
      prelude: false,
    });
    i = j;
  }
  return snippets;
}

/** Every src/**\/*.ts file (sorted), repository-relative with forward slashes. */
export function listSourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

export function extractAllExamples(root: string): { src: Snippet[]; readme: Snippet[] } {
  const src = listSourceFiles(root).flatMap((file) => extractTsDocExamples(file, readFileSync(path.join(root, file), 'utf8')));
  const readmePath = path.join(root, 'README.md');
  const readme = existsSync(readmePath) ? extractMarkdownExamples('README.md', readFileSync(readmePath, 'utf8')) : [];
  return { src, readme };
}

/** Names a snippet declares at its top level (imports, variables incl. destructuring, functions, classes, types). */
export function topLevelNames(code: string): Set<string> {
  const file = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      names.add(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) addBinding(decl.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isModuleDeclaration(statement)) &&
      statement.name &&
      ts.isIdentifier(statement.name)
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/** Names declared anywhere in the snippet (any scope), for the `*Id` convention. */
function allDeclaredNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node) => {
    const name = (node as ts.NamedDeclaration).name;
    if (
      name &&
      ts.isIdentifier(name) &&
      (ts.isVariableDeclaration(node) ||
        ts.isParameter(node) ||
        ts.isBindingElement(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isImportSpecifier(node) ||
        ts.isImportClause(node) ||
        ts.isNamespaceImport(node))
    ) {
      names.add(name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/** Identifiers ending in `Id` that the snippet reads but never declares (see the convention above). */
export function undeclaredIds(code: string): string[] {
  const file = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = allDeclaredNames(file);
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && /^[a-z][A-Za-z0-9]*Id$/.test(node.text) && !declared.has(node.text)) {
      const parent = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isBindingElement(parent) && parent.propertyName === node) ||
        (ts.isQualifiedName(parent) && parent.right === node) ||
        ((ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node);
      if (!isName) found.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...found].sort();
}

export interface CheckerSetup {
  root: string;
  /** Scratch directory for the generated files (wiped and recreated). */
  outDir: string;
  /** The prelude module for TSDoc snippets. */
  preludeFile: string;
}

/**
 * The package's entry points, from package.json "exports", mapped to their source files: `.` is
 * src/index.ts, `./<sub>` is src/entries/<sub>.ts.
 */
export function packageEntries(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const entries: Record<string, string> = {};
  for (const key of Object.keys(pkg.exports)) {
    if (key === './package.json') continue;
    const file = key === '.' ? path.join(root, 'src/index.ts') : path.join(root, 'src/entries', `${key.slice(2)}.ts`);
    if (existsSync(file)) entries[key === '.' ? 'foodsave-db' : `foodsave-db/${key.slice(2)}`] = file;
  }
  return entries;
}

/** tsconfig.json's options, plus noEmit and the 'foodsave-db' → src paths. */
export function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const paths: Record<string, string[]> = {};
  for (const [specifier, file] of Object.entries(packageEntries(root))) paths[specifier] = [file];
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    incremental: false,
    paths,
    typeRoots: [path.join(root, 'node_modules/@types')],
  };
}

/** Exported names of a module, read with the checker of `program`. */
function exportedNames(program: ts.Program, fileName: string): string[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(fileName);
  if (!file) return [];
  const symbol = checker.getSymbolAtLocation(file);
  if (!symbol) return [];
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.getName())
    .filter((name) => name !== 'default')
    .sort();
}

const HEADER_LINES = 1;

function importSpecifier(fromDir: string, file: string): string {
  let rel = path.relative(fromDir, file).split(path.sep).join('/').replace(/\.ts$/, '.js');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

function fileNameFor(outDir: string, snippet: Snippet): string {
  return path.join(outDir, `${snippet.id.replace(/[^A-Za-z0-9]+/g, '_')}.ts`);
}

function formatDiagnostic(d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}:${character + 1} TS${d.code}: ${message}`;
}

/**
 * Type-checks the snippets with one program and maps each diagnostic back to the original file, line
 * and column.
 */
export function checkSnippets(snippets: Snippet[], setup: CheckerSetup): CheckResult {
  const { root, outDir, preludeFile } = setup;
  const options = compilerOptions(root);
  const host = ts.createCompilerHost(options, true);
  const entries = packageEntries(root);

  // First program: just the package entries and the prelude, to list their exports. Its source files
  // (all of src/ and the libraries) are reused by the second program.
  const listing = ts.createProgram({ rootNames: [...Object.values(entries), preludeFile], options, host });
  const preludeNames = exportedNames(listing, preludeFile);
  const preludeSet = new Set(preludeNames);
  // Each exported name once, from the first entry point that has it (the main entry first).
  const specifierOf = new Map<string, string>();
  for (const [specifier, file] of Object.entries(entries)) {
    for (const name of exportedNames(listing, file)) if (!preludeSet.has(name) && !specifierOf.has(name)) specifierOf.set(name, specifier);
  }

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The snippets are ES modules (top-level await), whatever the directory above says.
  writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');

  const files = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const fileName = fileNameFor(outDir, snippet);
    const header = snippet.prelude ? importHeader(snippet.code, { preludeNames, specifierOf, preludeSpecifier: importSpecifier(outDir, preludeFile) }) : '';
    // Always exactly HEADER_LINES line(s) of header, so line numbers map back with a fixed offset.
    const text = `${header}\n${snippet.code}\nexport {};\n`;
    writeFileSync(fileName, text);
    files.set(path.normalize(fileName), snippet);
  }

  const program = ts.createProgram({
    rootNames: [...files.keys(), preludeFile],
    options,
    host,
    oldProgram: listing,
  });

  return diagnosticsOf(program, files, snippets, preludeFile);
}

/**
 * A snippet's one-line import header: each name it uses but does not declare, from the prelude or from
 * the package entry that exports it; any other free identifier is declared as a string.
 */
function importHeader(code: string, from: { preludeNames: string[]; specifierOf: Map<string, string>; preludeSpecifier: string }): string {
  const own = topLevelNames(code);
  const packageNames = [...from.specifierOf.keys()];
  const imports: string[] = [];
  const fromPrelude = from.preludeNames.filter((n) => !own.has(n));
  if (fromPrelude.length) imports.push(`import { ${fromPrelude.join(', ')} } from '${from.preludeSpecifier}';`);
  const bySpecifier = new Map<string, string[]>();
  for (const name of packageNames.filter((n) => !own.has(n))) bySpecifier.set(from.specifierOf.get(name)!, [...(bySpecifier.get(from.specifierOf.get(name)!) ?? []), name]);
  for (const [specifier, names] of bySpecifier) imports.push(`import { ${names.join(', ')} } from '${specifier}';`);
  const ids = undeclaredIds(code).filter((n) => !from.preludeNames.includes(n) && !packageNames.includes(n));
  if (ids.length) imports.push(`declare const ${ids.map((n) => `${n}: string`).join(', ')};`);
  return imports.join(' ');
}

/** Each snippet's diagnostics, mapped back to the original file, line and column; and the global ones. */
function diagnosticsOf(program: ts.Program, files: Map<string, Snippet>, snippets: Snippet[], preludeFile: string): CheckResult {
  const bySnippet = new Map<string, SnippetDiagnostic[]>(snippets.map((s) => [s.id, []]));
  const global: string[] = [];
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) global.push(formatDiagnostic(d));
  const prelude = program.getSourceFile(preludeFile);
  if (prelude) {
    for (const d of [...program.getSyntacticDiagnostics(prelude), ...program.getSemanticDiagnostics(prelude)]) {
      global.push(`prelude: ${formatDiagnostic(d)}`);
    }
  }

  for (const [fileName, snippet] of files) {
    const sourceFile = program.getSourceFile(fileName);
    if (!sourceFile) {
      global.push(`${snippet.id}: generated file ${fileName} is not in the program`);
      continue;
    }
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    const list = bySnippet.get(snippet.id)!;
    for (const d of diagnostics) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      let location = `${snippet.source}:${snippet.exampleLine}`;
      if (d.start !== undefined) {
        const { line, character } = sourceFile.getLineAndCharacterOfPosition(d.start);
        const codeLine = line - HEADER_LINES;
        if (codeLine < 0) {
          location = `${snippet.source}:${snippet.exampleLine} (generated import header)`;
        } else {
          const prefix = snippet.prefixLengths[codeLine] ?? 0;
          location = `${snippet.source}:${snippet.firstLine + codeLine}:${character + 1 + prefix}`;
        }
      }
      list.push({ location, code: d.code, message });
    }
  }
  return { bySnippet, global };
}

/** A readable report of the failing snippets: original location, TS code and message. */
export function formatFailures(snippets: Snippet[], result: CheckResult): string {
  const blocks: string[] = [];
  for (const snippet of snippets) {
    const diagnostics = result.bySnippet.get(snippet.id) ?? [];
    if (diagnostics.length === 0) continue;
    const lines = diagnostics.map((d) => `  ${d.location} TS${d.code}: ${d.message.replace(/\n/g, '\n    ')}`);
    blocks.push(`@example at ${snippet.source}:${snippet.exampleLine}\n${lines.join('\n')}`);
  }
  return blocks.join('\n\n');
}
