/**
 * Returns the URL with its password replaced by `***`, safe for logs and error messages.
 * A value that does not parse as a URL is replaced whole, since it may still hold a secret.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db:5432/foodsave'); // 'postgres://app:***@db:5432/foodsave'
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // libpq also takes the password as a query parameter.
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/**
 * Removes every occurrence of the given secrets (raw and percent-encoded) from a message.
 * Used on driver error messages, which sometimes quote connection strings.
 */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

/** The decoded password of a connection URL (userinfo or `?password=`), or `''`. */
export function passwordOf(url: string): string {
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || '';
  } catch {
    return '';
  }
}
