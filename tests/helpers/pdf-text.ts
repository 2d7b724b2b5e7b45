/**
 * The text a pdfkit PDF shows, for assertions: every content stream
 * inflated, the hex strings of its text operators decoded (WinAnsi, as
 * pdfkit writes the standard fonts) and joined per operator.
 */
import { inflateSync } from 'node:zlib';

// WinAnsi's 0x80–0x9F (where it differs from Latin-1): the punctuation the reports use.
const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—' };
const decode = (hex: string): string => [...Buffer.from(hex, 'hex')].map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join('');

export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (const m of raw.matchAll(streams)) {
    let body: string;
    try {
      body = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      body = m[1]!;
    }
    for (const op of body.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      out.push([...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decode(h[1]!)).join(''));
    }
  }
  return out.join('\n');
}
