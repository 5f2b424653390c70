/** What the global setup hands to each test file through vitest's provide/inject. */
export interface TestDatabaseServer {
  /** Connection string of a database on the server that may create and drop databases. */
  adminUrl: string;
  /** Migrated database every test database is cloned from. */
  templateName: string;
  /** Prefix of every database this run creates, so teardown can drop them all. */
  runPrefix: string;
  isEmbedded: boolean;
}

declare module "vitest" {
  export interface ProvidedContext {
    gatheringTestDatabase: TestDatabaseServer;
  }
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
