/** Credentials in a URL (`wss://user:pass@host/`) must not leak into events, logs or storage keys. */

/** The URL without its userinfo; anything that does not parse is returned with `…@` removed after `//`. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return withoutCredentialsInText(url);
  }
}

/** Free text (an error message that quotes a URL) with the userinfo of every URL in it removed. */
export function withoutCredentialsInText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]*@/gi, '$1');
}
