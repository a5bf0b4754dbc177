/**
 * The characters a token may hold. RFC 6749 Appendix A (A.12 access-token, A.17 refresh-token):
 * 1*VSCHAR, the visible ASCII characters and space (%x20-7E). A token with a line break or another
 * control character would split the header it is sent in, or the line a tool reads it from
 * (`Authorization: Bearer $(authmachine token)`), so one is never accepted, stored or printed.
 */

const VSCHARS = /^[\x20-\x7e]+$/;

/** True when `value` is 1*VSCHAR (RFC 6749 Appendix A). */
export function isTokenSyntax(value: string): boolean {
  return VSCHARS.test(value);
}
