/**
 * Hex given as its ASCII bytes (`0x…`), where a string would be copied again and again: a
 * Multicall3 round's megabyte of calldata, which the report's transport writes into the
 * request body as it is, and the quarter megabyte of hex that answers it, which the transport
 * hands back as a view of the response. Calldata is written as hex digits; an answer's bytes
 * are checked as hex where they are read (`decodeAggregate3`).
 */
export class HexText {
  constructor(readonly bytes: Buffer) {}

  /** As a string wherever JSON is written of it other than by the transport (error details). */
  toJSON(): string {
    return this.bytes.toString('latin1')
  }
}
