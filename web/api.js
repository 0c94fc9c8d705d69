// The page's only door to the server: JSON calls, file blobs and server-sent events, all with the bearer
// token when one is set (EventSource cannot send headers, so events are read from a fetch stream).

let token = sessionStorage.getItem('lrsal-token') ?? '';
const onUnauthorized = new Set();

export function setToken(value) {
  token = value;
  sessionStorage.setItem('lrsal-token', value);
}

export function whenUnauthorized(listener) {
  onUnauthorized.add(listener);
}

function headers() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { ...headers(), ...(init.headers ?? {}) } });
  if (response.status === 401) for (const l of onUnauthorized) l();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return response;
}

export const getJson = async (url) => (await call(url)).json();
export const postForm = async (url, form) => (await call(url, { method: 'POST', body: form })).json();
export const del = async (url) => (await call(url, { method: 'DELETE' })).json();
export const post = async (url) => (await call(url, { method: 'POST' })).json();
export const getBytes = async (url) => (await call(url)).arrayBuffer();

/** An object URL for a file the server holds (works with a token, unlike a plain <img src>). */
export async function blobUrl(url) {
  const blob = await (await call(url)).blob();
  return URL.createObjectURL(blob);
}

/** Follow a job's events until the stream ends or `signal` aborts; `onEvent(type, data)`. */
export async function followEvents(url, onEvent, signal) {
  const response = await call(url, { signal, headers: { accept: 'text/event-stream' } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let data = '';
      for (const line of chunk.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(type, JSON.parse(data));
    }
  }
}

/** The float32 map of an .npy file (format 1.0, little-endian, C order). */
export function parseNpy(buffer) {
  const view = new DataView(buffer);
  const headerLength = view.getUint16(8, true);
  const header = new TextDecoder('latin1').decode(new Uint8Array(buffer, 10, headerLength));
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { data: new Float32Array(buffer.slice(10 + headerLength)), shape };
}
