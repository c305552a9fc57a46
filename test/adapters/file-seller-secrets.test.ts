import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSellerSecretStore } from '../../functions/adapters/file-seller-secrets';

describe('FileSellerSecretStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores, reads, replaces and deletes one secret per seller and name, owner-only', async () => {
    const store = new FileSellerSecretStore(dir);
    expect(await store.getSellerSecret('S1', 'imap')).toBeUndefined();
    await store.putSellerSecret('S1', 'imap', { password: 'p1' });
    await store.putSellerSecret('S1', 'sp-api', { refreshToken: 'Atzr|x' });
    await store.putSellerSecret('S1', 'imap', { password: 'p2' });
    expect(await store.getSellerSecret('S1', 'imap')).toEqual({ password: 'p2' });
    expect(await store.getSellerSecret('S2', 'imap')).toBeUndefined();
    expect((await stat(join(dir, 'S1', 'imap.json'))).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, 'S1'))).sort()).toEqual(['imap.json', 'sp-api.json']);
    await store.deleteSellerSecret('S1', 'imap');
    await store.deleteSellerSecret('S1', 'imap');
    expect(await store.getSellerSecret('S1', 'imap')).toBeUndefined();
    expect(await store.getSellerSecret('S1', 'sp-api')).toEqual({ refreshToken: 'Atzr|x' });
  });

  it('refuses a seller ID that would leave the folder', async () => {
    const store = new FileSellerSecretStore(dir);
    await expect(store.putSellerSecret('../x', 'imap', {})).rejects.toThrow(/cannot name a secret file/);
    await expect(store.getSellerSecret('..', 'imap')).rejects.toThrow(/cannot name a secret file/);
  });
});
