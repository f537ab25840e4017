/**
 * libuv's TCP handle, driven the way node:net drives it internally. Node
 * allow-lists `tcp_wrap` and `stream_wrap` for process.binding (DEP0111, a
 * documentation-only deprecation; checked on Node 20); when either is missing
 * or changed shape, `libuvTcp` is undefined and callers fall back to node:net.
 */
export interface TcpHandle {
  connect(req: ConnectRequest, host: string, port: number): number;
  connect6(req: ConnectRequest, host: string, port: number): number;
  setNoDelay(on: boolean): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: WriteRequest, data: Uint8Array): number;
  shutdown(req: ShutdownRequest): number;
  close(cb?: () => void): void;
  /** Read into this buffer instead of a fresh 64 KiB allocation per read. */
  useUserBuffer(buf: Uint8Array): void;
  onread: ((buf: ArrayBuffer | undefined) => void) | null;
}

export interface ConnectRequest {
  oncomplete: (status: number) => void;
  address: string;
  port: number;
}

export interface WriteRequest {
  handle: TcpHandle;
  oncomplete: (status: number) => void;
  async: boolean;
  [key: string]: unknown;
}

export interface ShutdownRequest {
  handle: TcpHandle;
  oncomplete: (status: number) => void;
}

export interface LibuvTcp {
  newHandle(): TcpHandle;
  newConnectRequest(): ConnectRequest;
  newWriteRequest(): WriteRequest;
  newShutdownRequest(): ShutdownRequest;
  /** Shared with C++: bytes read (or a negative errno) for the current onread call. */
  readResult(): number;
  lastWriteWasAsync(): boolean;
}

/** libuv's UV_EOF, the same on every platform. */
export const UV_EOF = -4095;

function load(): LibuvTcp | undefined {
  try {
    const binding = (process as unknown as { binding: (name: string) => Record<string, unknown> }).binding;
    const tcp = binding('tcp_wrap') as { TCP?: new (t: number) => TcpHandle; TCPConnectWrap?: new () => ConnectRequest; constants?: { SOCKET?: number } };
    const sw = binding('stream_wrap') as {
      WriteWrap?: new () => WriteRequest;
      ShutdownWrap?: new () => ShutdownRequest;
      streamBaseState?: Int32Array;
      kReadBytesOrError?: number;
      kLastWriteWasAsync?: number;
    };
    const { TCP, TCPConnectWrap, constants } = tcp;
    const { WriteWrap, ShutdownWrap, streamBaseState: state, kReadBytesOrError: kRead, kLastWriteWasAsync: kAsync } = sw;
    if (!TCP || !TCPConnectWrap || constants?.SOCKET === undefined || !WriteWrap || !ShutdownWrap || !state) return undefined;
    if (typeof kRead !== 'number' || typeof kAsync !== 'number') return undefined;
    const proto = TCP.prototype as Partial<Record<keyof TcpHandle, unknown>>;
    for (const m of ['connect', 'connect6', 'setNoDelay', 'getsockname', 'readStart', 'readStop', 'writeBuffer', 'shutdown', 'close', 'useUserBuffer'] as const) {
      if (typeof proto[m] !== 'function') return undefined;
    }
    const socketType = constants.SOCKET;
    return {
      newHandle: () => new TCP(socketType),
      newConnectRequest: () => new TCPConnectWrap(),
      newWriteRequest: () => new WriteWrap(),
      newShutdownRequest: () => new ShutdownWrap(),
      readResult: () => state[kRead]!,
      lastWriteWasAsync: () => state[kAsync] !== 0,
    };
  } catch {
    return undefined;
  }
}

export const libuvTcp: LibuvTcp | undefined = load();
