/**
 * SHA-256 of UTF-8 text as unpadded base64url, via the global Web Crypto (the domain imports no library).
 * One-way: used where a value must be derived from or stand in for another without revealing it.
 */
export async function sha256Base64Url(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
