/**
 * Public sample data the tests read (SP-API sandbox responses and schemas, SES event samples),
 * kept in the repository under test/fixtures/reference/; where each file comes from and under
 * which licence is in test/fixtures/reference/SOURCES.md.
 */
import { join } from 'node:path';

export const REFERENCE_DIR = join(__dirname, '..', 'fixtures', 'reference');
export const SES_REFERENCE = join(REFERENCE_DIR, 'ses');
export const SP_API_REFERENCE = join(REFERENCE_DIR, 'sp-api');
