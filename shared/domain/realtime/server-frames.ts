/** Everything the server pushes to a socket: declared once, in the wire contract. */
export type { ServerFrame } from '../../contract/wire.js';
