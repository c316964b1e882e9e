import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { writeBatchedPerTick } from '../platform/batched-writes';

/**
 * A loopback TCP connection whose writing side records how its chunks reach the socket's
 * handle: one `_write` per chunk sent alone, one `_writev` per batch (node:net's own methods,
 * called through, so every byte still crosses the connection).
 */
async function recordedConnection() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const writer = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(writer, 'connect');
  const [reader] = await accepted;
  let received = '';
  reader.setEncoding('utf8').on('data', (text: string) => (received += text));

  const writes: string[][] = [];
  const internals = writer as unknown as {
    _write(chunk: Buffer, encoding: string, done: () => void): void;
    _writev(chunks: { chunk: Buffer }[], done: () => void): void;
  };
  const write = internals._write.bind(writer);
  const writev = internals._writev.bind(writer);
  internals._write = (chunk, encoding, done) => {
    writes.push([chunk.toString()]);
    write(chunk, encoding, done);
  };
  internals._writev = (chunks, done) => {
    writes.push(chunks.map(({ chunk }) => chunk.toString()));
    writev(chunks, done);
  };
  const receive = async (text: string) => {
    while (received.length < text.length) await once(reader, 'data');
    expect(received).toBe(text);
  };
  const close = () => {
    writer.destroy();
    reader.destroy();
    server.close();
  };
  return { writer, writes, receive, close };
}

const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

test("a stream's first chunk of a tick is written at once, the tick's others together after it", async () => {
  const { writer, writes, receive, close } = await recordedConnection();
  try {
    const handed: string[] = [];
    const write = (text: string) =>
      writeBatchedPerTick(writer, Buffer.from(text), (label) => handed.push(label), text);

    write('a');
    expect(writes).toEqual([['a']]); // no cork, no waiting for the tick's end
    expect(handed).toEqual(['a']);
    write('b');
    write('c');
    write('d');
    expect(writes).toEqual([['a']]); // held until the tick's work is done
    expect(handed).toEqual(['a']);
    await nextTick();
    expect(writes).toEqual([['a'], ['b', 'c', 'd']]);
    expect(handed).toEqual(['a', 'b']); // once per flush: the check covers the batch

    // A later tick starts over: its first chunk goes at once again.
    write('e');
    expect(writes).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    await receive('abcde');
  } finally {
    close();
  }
});

test('streams written in the same tick are each written at once, in the order given', async () => {
  const first = await recordedConnection();
  const second = await recordedConnection();
  try {
    const ignore = () => undefined;
    writeBatchedPerTick(first.writer, Buffer.from('1'), ignore, null);
    writeBatchedPerTick(second.writer, Buffer.from('2'), ignore, null);
    writeBatchedPerTick(first.writer, Buffer.from('3'), ignore, null);
    expect(first.writes).toEqual([['1']]);
    expect(second.writes).toEqual([['2']]);
    await nextTick();
    expect(first.writes).toEqual([['1'], ['3']]);
    await Promise.all([first.receive('13'), second.receive('2')]);
  } finally {
    first.close();
    second.close();
  }
});
