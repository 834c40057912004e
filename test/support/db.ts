// Throwaway MariaDB databases for tests: one per test file (or per simulated fleet), named
// after the run so the global teardown can drop what a crashed file left behind.
import { randomBytes } from 'node:crypto';
import { dropDatabase } from '@snapfleet/metastore';

export const MYSQL_SERVER = process.env.SNAPFLEET_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';
/** URL query appended to every test database URL, e.g. `?socket=/run/mysqld/mysqld.sock`. */
export const MYSQL_PARAMS = process.env.SNAPFLEET_TEST_MYSQL_PARAMS ?? '';

export function testDatabasePrefix(): string {
  return `sft_${(process.env.SNAPFLEET_TEST_RUN ?? 'adhoc').replace(/[^A-Za-z0-9_]/g, '_')}_`;
}

export interface TestDatabase {
  url: string;
  dispose(): Promise<void>;
}

export function makeTestDatabase(label: string): TestDatabase {
  const name = `${testDatabasePrefix()}${label.replace(/[^A-Za-z0-9_]/g, '_')}_${randomBytes(3).toString('hex')}`.slice(0, 64);
  const url = `${MYSQL_SERVER}/${name}${MYSQL_PARAMS}`;
  return { url, dispose: () => dropDatabase(url) };
}
