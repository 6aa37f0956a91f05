/**
 * The admin token and registration key of a local stack. Values given in the environment win;
 * missing ones are read from a credentials file, or generated and saved there (mode 0600), so a
 * restart keeps the tokens agents and scripts were given.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The stack's fixed credentials. */
export interface LocalCredentials {
  readonly adminToken: string;
  readonly registrationKey: string;
}

/** Where each credential came from. */
export type CredentialSource = 'environment' | 'file' | 'generated';

/** Resolved credentials and their sources. */
export interface ResolvedCredentials extends LocalCredentials {
  readonly sources: { readonly adminToken: CredentialSource; readonly registrationKey: CredentialSource };
}

/** A fresh random bearer secret. No `.` in it, so it is never mistaken for an issued `<id>.<secret>` token. */
export const generateSecret = (kind: 'admin' | 'registration'): string =>
  `coord_${kind}_${randomBytes(32).toString('base64url')}`;

const readStored = async (file: string): Promise<Partial<LocalCredentials>> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Record<keyof LocalCredentials, unknown>>;
  const usable = (value: unknown) => (typeof value === 'string' && value.length >= 8 ? value : undefined);
  const adminToken = usable(parsed.adminToken);
  const registrationKey = usable(parsed.registrationKey);
  return { ...(adminToken ? { adminToken } : {}), ...(registrationKey ? { registrationKey } : {}) };
};

const store = async (file: string, credentials: Partial<LocalCredentials>): Promise<void> => {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; make sure it is private either way.
  await chmod(file, 0o600);
};

/**
 * Resolves the admin token and registration key.
 * @param given values from the environment (empty strings count as unset)
 * @param file the credentials file, e.g. `.coord/credentials.json`
 */
export const resolveCredentials = async (
  given: { readonly adminToken?: string; readonly registrationKey?: string },
  file: string,
): Promise<ResolvedCredentials> => {
  const adminGiven = given.adminToken || undefined;
  const keyGiven = given.registrationKey || undefined;
  if (adminGiven && keyGiven) {
    return {
      adminToken: adminGiven,
      registrationKey: keyGiven,
      sources: { adminToken: 'environment', registrationKey: 'environment' },
    };
  }
  const stored = await readStored(file);
  const pick = (value: string | undefined, kept: string | undefined, kind: 'admin' | 'registration') =>
    value
      ? { value, source: 'environment' as const }
      : kept
        ? { value: kept, source: 'file' as const }
        : { value: generateSecret(kind), source: 'generated' as const };
  const admin = pick(adminGiven, stored.adminToken, 'admin');
  const key = pick(keyGiven, stored.registrationKey, 'registration');
  if (admin.source === 'generated' || key.source === 'generated') {
    await store(file, {
      ...stored,
      ...(admin.source === 'generated' ? { adminToken: admin.value } : {}),
      ...(key.source === 'generated' ? { registrationKey: key.value } : {}),
    });
  }
  return {
    adminToken: admin.value,
    registrationKey: key.value,
    sources: { adminToken: admin.source, registrationKey: key.source },
  };
};
