// Characters a header value read by Node can hold: one per byte (Latin-1).
const NON_ASCII_BYTE = /[\x80-\xff]/;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * A request header's value as the client meant it. Node reads header bytes as
 * Latin-1, one character per byte, while browsers send `Last-Event-ID` (an
 * event id, any Unicode string) as UTF-8: its bytes are decoded again as
 * UTF-8 here, and bytes that are not UTF-8 become U+FFFD. ASCII, which our
 * ids are, is returned as it is.
 */
export function decodeUtf8Header(value: string): string {
  if (!NON_ASCII_BYTE.test(value) || BEYOND_LATIN1.test(value)) return value;
  return Buffer.from(value, 'latin1').toString('utf8');
}
