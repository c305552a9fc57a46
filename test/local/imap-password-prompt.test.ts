import { PassThrough } from 'node:stream';
import { askHidden, imapPassword } from '../../functions/local/commands/mailbox';

function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, raw: false, setRawMode(raw: boolean) { this.raw = raw; return this; } });
  const written: string[] = [];
  return { input, written, output: { write: (s: string) => written.push(s) } };
}

describe('the IMAP password prompt', () => {
  test('nothing typed is echoed; Backspace edits; raw mode is left again', async () => {
    const t = terminal();
    const answer = askHidden('App password: ', t);
    expect(t.input.raw).toBe(true);
    t.input.write('hunter22');
    t.input.write('\u007f3\r');
    await expect(answer).resolves.toBe('hunter23');
    expect(t.written.join('')).toBe('App password: \n');
    expect(t.input.raw).toBe(false);
  });

  test('Ctrl-C cancels', async () => {
    const t = terminal();
    const answer = askHidden('App password: ', t);
    t.input.write('abc\u0003');
    await expect(answer).rejects.toThrow('cancelled');
  });

  test('the environment variable wins; without it and without a terminal the message says how, never asks', async () => {
    await expect(imapPassword('u', 'imap.example.com', { SHIPNOW_IMAP_PASSWORD: 'from-env' })).resolves.toBe('from-env');
    await expect(imapPassword('u', 'imap.example.com', {}, async () => 'typed')).resolves.toBe('typed');
    const isTTY = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    try {
      await expect(imapPassword('u', 'imap.example.com', {})).rejects.toThrow(/set SHIPNOW_IMAP_PASSWORD .* it is never a flag/);
    } finally {
      Object.defineProperty(process.stdin, 'isTTY', { value: isTTY, configurable: true });
    }
  });
});
