/**
 * Who may connect to the hub: booths (a secret each) and specialists (a
 * password each), stored only as scrypt hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CASE_SPECIALTIES, CaseSpecialty } from '../shared/case-record';
import { describeIssues } from '../shared/config';
import { DoctorPhotoUrl, MAX_DOCTOR_PHOTO_BYTES, doctorPhotoType } from '../shared/doctor-photo';
import { codeOf, ConfigError } from '../shared/errors';
import { plainPostgres, plainRemoteLink } from '../shared/transport';
import { HashGate, type Standing } from './hash-gate';
import { TurnConfig } from './turn';

const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function scrypt(secret: string, salt: Buffer, len: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** `scrypt$N$r$p$salt$hash`, the format kiosk-config's pinHash uses too. */
export async function hashSecret(secret: string, N = 16384): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 32, { N, r: 8, p: 1 });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const m = HASH.exec(hash);
  if (!m) return false;
  const [, N, r, p, salt, expected] = m;
  const want = Buffer.from(expected!, 'base64');
  const got = await scrypt(secret, Buffer.from(salt!, 'base64'), want.length, { N: Number(N), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

const scryptHash = z.string().regex(HASH, 'a scrypt hash (`node scripts/pin-hash.mjs <secret>` makes one)');

/** A TOTP secret (RFC 6238) as authenticator apps take it: base32, at least 128 bits. */
const totpSecret = z.string().regex(/^[A-Z2-7]{26,}=*$/, 'a base32 TOTP secret of at least 128 bits (`node scripts/totp-secret.mjs` makes one)');

/** How the hub proves itself to the OIDC provider at its token endpoint (Pro Santé Connect constrains it). */
export const OidcClientAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('client_secret_basic'), secret: z.string().min(16, 'the client secret the provider issued, at least 16 characters') }).strict(),
  z.object({ method: z.literal('client_secret_post'), secret: z.string().min(16, 'the client secret the provider issued, at least 16 characters') }).strict(),
  z.object({
    method: z.literal('private_key_jwt'),
    /** A PEM private key (PKCS#8), relative to the config file; its public half is registered with the provider. */
    keyFile: z.string().min(1),
    alg: z.enum(['ES256', 'PS256', 'RS256']).default('ES256'),
    kid: z.string().min(1).optional(),
  }).strict(),
  z.object({
    /** Mutual TLS (RFC 8705): the hub's client certificate at the token endpoint. */
    method: z.literal('tls_client_auth'),
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    /** The provider's certificate authority when it is not one the system trusts (PEM, relative to the config file). */
    caFile: z.string().min(1).optional(),
  }).strict(),
], { error: 'a client authentication method: "client_secret_basic", "client_secret_post", "private_key_jwt" or "tls_client_auth"' });
export type OidcClientAuth = z.infer<typeof OidcClientAuth>;

/** OpenID Connect sign-in for doctors and pharmacy staff (src/hub/oidc.ts): the hub is the relying party. */
export const OidcConfig = z.object({
  /** The provider's issuer (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
  issuer: z.url(),
  clientId: z.string().min(1),
  clientAuth: OidcClientAuth,
  /** This hub's callback as registered with the provider: `https://<hub>/api/oidc/callback`. */
  redirectUri: z.url(),
  scope: z.array(z.string().min(1)).default(['openid', 'email']),
  /** The authentication levels asked for (`acr_values`) and required in the ID token's `acr` (Pro Santé Connect: "eidas1"); none when empty. */
  acrValues: z.array(z.string().min(1)).default([]),
  /** The claim that names the account, matched against an account's `oidcSubject` (Pro Santé Connect: the RPPS in "SubjectNameID" or "preferred_username"). */
  accountClaim: z.string().min(1).default('sub'),
  /** Local passwords still accepted beside OIDC (the demo, a fallback); off in a deployment that requires OIDC. */
  allowPasswords: z.boolean().default(true),
  /** The sign-in button's text on the login pages; « Se connecter avec Pro Santé Connect » when absent. */
  label: z.string().trim().min(1).max(80).optional(),
}).strict();
export type OidcConfig = z.infer<typeof OidcConfig>;

export const HubConfig = z.object({
  booths: z.array(z.object({
    boothId: z.string().min(1),
    tokenHash: scryptHash,
    pharmacy: z.object({ name: z.string(), city: z.string() }),
    /** Binds the pharmacy's staff (below) to its booths; a booth without one has no counter page. */
    pharmacyId: z.string().min(1).optional(),
  })).default([]),
  specialists: z.array(z.object({
    id: z.string().min(1),
    email: z.string().email(),
    name: z.string().min(1),
    specialty: z.string().default('Médecine générale'),
    passwordHash: scryptHash,
    /** Their TOTP secret: with one, a password sign-in also asks for the current code. */
    totpSecret: totpSecret.optional(),
    /** Their identifier at the OIDC provider (the value of `oidc.accountClaim`). */
    oidcSubject: z.string().min(1).optional(),
    /** Shown to the patient beside the name: a PNG or JPEG file, its path relative to the config file. */
    photo: z.string().min(1).optional(),
    /** That photo as loadHubConfig read it (never written in the file): what queue.claimed carries to the booth. */
    photoUrl: DoctorPhotoUrl.optional(),
    /** The queues of forwarded cases this doctor answers (src/shared/case-record.ts); general medicine when absent. */
    cases: z.array(CaseSpecialty, { error: `the case queues this doctor answers, among ${CASE_SPECIALTIES.map((c) => `"${c}"`).join(', ')} (for example ["dermatology"])` })
      .min(1, `at least one case queue (${CASE_SPECIALTIES.join(', ')}); a doctor who answers none is left out of the case queues only by removing the account`)
      .default(['general']),
  })).default([]),
  /** Pharmacy staff: the counter page (`/counter/`) shows them their own pharmacy's booths only. */
  staff: z.array(z.object({
    id: z.string().min(1),
    email: z.string().email(),
    /** Full name, for the record. */
    name: z.string().min(1),
    /** Shown to the patient: "Le pharmacien arrive : Marie". */
    firstName: z.string().trim().min(1).max(80),
    pharmacyId: z.string().min(1),
    passwordHash: scryptHash,
    /** As for specialists: a TOTP secret asks for a code after the password. */
    totpSecret: totpSecret.optional(),
    /** As for specialists: their identifier at the OIDC provider. */
    oidcSubject: z.string().min(1).optional(),
  })).default([]),
  counter: z.object({
    /** An alert nobody acknowledged rings again after this long, on the counter pages and at the booth. */
    ringAgainSeconds: z.number().int().min(5).max(3600).default(60),
  }).default({ ringAgainSeconds: 60 }),
  media: z.object({
    listenIp: z.string().default('127.0.0.1'),
    announcedAddress: z.string().optional(),
    rtcMinPort: z.number().int().min(1024).max(65535).default(40000),
    rtcMaxPort: z.number().int().min(1024).max(65535).default(40999),
    workers: z.number().int().min(0).default(0),
  }).default({ listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 0 }),
  /** A TURN server over TLS for booths and consoles behind networks that block UDP (./turn.ts); none when absent. */
  turn: TurnConfig.optional(),
  allowedOrigins: z.array(z.string()).default([]),
  /** OpenID Connect sign-in (Pro Santé Connect or the deployment's provider); local accounts only when absent. */
  oidc: OidcConfig.optional(),
  /** Local accounts' sign-in: with `requireTotp`, an account without a TOTP secret cannot sign in with its password alone. */
  localSignIn: z.object({ requireTotp: z.boolean().default(false) }).strict().default({ requireTotp: false }),
  /**
   * HTTPS served by the hub itself (PEM files relative to the config file).
   * Absent: plain HTTP, for loopback or behind a TLS terminator that sends
   * `X-Forwarded-Proto: https` (docs/security.md).
   */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
  /** The access journal (src/hub/journal): where its head is exported and how often. */
  journal: z.object({
    /**
     * A folder out of the database's reach (another disk, a write-only
     * mount): each export appends the head to `heads-<node>.jsonl` there.
     * `<dataDir>/journal-heads` when absent.
     */
    headDir: z.string().min(1).optional(),
    exportHeadEveryMinutes: z.number().int().min(1).max(1440).default(15),
  }).strict().default({ exportHeadEveryMinutes: 15 }),
  /** How long the record is kept, then purged (the deployment's legal period; 20 years by default). */
  retention: z.object({
    recordDays: z.number().int().min(1).max(36_525).default(7305),
    purgeEveryHours: z.number().min(1).max(24 * 30).default(24),
  }).strict().default({ recordDays: 7305, purgeEveryHours: 24 }),
  /** The hub's data keys (record, live state, journal, search): a new one on this schedule, old data re-sealed in the background. */
  keys: z.object({
    rotateEveryDays: z.number().int().min(1).max(3650).default(90),
  }).strict().default({ rotateEveryDays: 90 }),
  dataDir: z.string().default('.cabine/hub'),
  /**
   * Where the record and the live state (queue, claims, logins) live: SQLite
   * files in `dataDir` (one hub), or one PostgreSQL database shared by
   * several hub nodes.
   */
  store: z.discriminatedUnion('engine', [
    z.object({ engine: z.literal('sqlite') }).strict(),
    z.object({
      engine: z.literal('postgresql'),
      url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a PostgreSQL connection URL such as "postgresql://cabine@db.internal:5432/cabine"'),
    }).strict(),
  ], { error: 'an engine, "sqlite" or "postgresql"' }).default({ engine: 'sqlite' }),
  /**
   * The folder of the hub's data keys (record.key, hub-state.key); `dataDir`
   * when absent. Rows sealed by one node are opened by another: with
   * PostgreSQL every node names the same keys (a mounted secret), never its
   * own.
   */
  keyDir: z.string().min(1).optional(),
  /**
   * This hub node in a network on PostgreSQL (src/hub/cluster): its id,
   * unique in the network (a random one per start when absent), and the
   * address booths and consoles reach it at.
   */
  node: z.object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-", at most 64').optional(),
    url: z.url().optional(),
    /**
     * The parent domain of the nodes' addresses (node-a.cabine.example and
     * node-b.cabine.example → "cabine.example"): the doctor's session cookie
     * is set for it, so a console sent to the node holding its call is still
     * signed in there. Absent: the cookie is the address's own.
     */
    cookieDomain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a domain name such as "cabine.example"').optional(),
  }).strict().optional(),
}).strict().superRefine((config, ctx) => {
  if (config.store.engine === 'postgresql' && config.keyDir === undefined) {
    ctx.addIssue({ code: 'custom', path: ['keyDir'], message: 'a key folder shared by every hub node (with PostgreSQL, a row one node sealed is opened by another: each node creating its own key in its data folder could not)' });
  }
  // Outside loopback every link is TLS (docs/security.md): no address in the config may be plain.
  const links: [PropertyKey[], string | undefined][] = [
    [['node', 'url'], config.node?.url],
    [['oidc', 'issuer'], config.oidc?.issuer],
    [['oidc', 'redirectUri'], config.oidc?.redirectUri],
    ...config.allowedOrigins.map((o, i): [PropertyKey[], string] => [['allowedOrigins', i], o]),
    ...(config.turn?.urls ?? []).map((u, i): [PropertyKey[], string] => [['turn', 'urls', i], u]),
  ];
  for (const [path, url] of links) {
    const plain = url === undefined ? null : plainRemoteLink(url);
    if (plain) ctx.addIssue({ code: 'custom', path, message: plain });
  }
  if (config.store.engine === 'postgresql') {
    const plain = plainPostgres(config.store.url);
    if (plain) ctx.addIssue({ code: 'custom', path: ['store', 'url'], message: plain });
  }
  const pharmacies = new Set(config.booths.map((b) => b.pharmacyId).filter((id) => id !== undefined));
  config.staff.forEach((s, i) => {
    if (!pharmacies.has(s.pharmacyId)) ctx.addIssue({ code: 'custom', path: ['staff', i, 'pharmacyId'], message: `a pharmacy id of a booth (${[...pharmacies].join(', ') || 'none has one'})` });
  });
});
export type HubConfig = z.infer<typeof HubConfig>;
/** A hub config as written (defaults not yet filled in). */
export type HubConfigInput = z.input<typeof HubConfig>;

export function loadHubConfig(file: string): HubConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(file, [{ path: '', expected: `a readable JSON file (${(cause as Error).message})` }], cause);
  }
  const r = HubConfig.safeParse(raw);
  if (!r.success) throw new ConfigError(file, describeIssues(r.error, raw), r.error);
  const issues: { path: string; expected: string }[] = [];
  const specialists = r.data.specialists.map((s, i) => {
    if (s.photoUrl !== undefined) {
      issues.push({ path: `specialists[${i}].photoUrl`, expected: `not written in the file (${s.id}): name a PNG or JPEG file in "photo" instead` });
      return s;
    }
    if (s.photo === undefined) return s;
    const photo = readPhoto(resolve(dirname(file), s.photo));
    if ('problem' in photo) {
      issues.push({ path: `specialists[${i}].photo`, expected: `${s.id}'s photo "${s.photo}" ${photo.problem}` });
      return s;
    }
    return { ...s, photoUrl: photo.url };
  });
  if (issues.length) throw new ConfigError(file, issues);
  // The certificate's files, like the photos, are named relative to the config file.
  const tls = r.data.tls && { certFile: resolve(dirname(file), r.data.tls.certFile), keyFile: resolve(dirname(file), r.data.tls.keyFile) };
  return { ...r.data, specialists, ...(tls ? { tls } : {}), oidc: r.data.oidc && { ...r.data.oidc, clientAuth: oidcFilesFrom(dirname(file), r.data.oidc.clientAuth) } };
}

/** The OIDC client's key and certificate files, relative to the config file, made absolute. */
function oidcFilesFrom(dir: string, auth: OidcClientAuth): OidcClientAuth {
  if (auth.method === 'private_key_jwt') return { ...auth, keyFile: resolve(dir, auth.keyFile) };
  if (auth.method === 'tls_client_auth') {
    return { ...auth, certFile: resolve(dir, auth.certFile), keyFile: resolve(dir, auth.keyFile), ...(auth.caFile ? { caFile: resolve(dir, auth.caFile) } : {}) };
  }
  return auth;
}

/** A doctor's photo file as a data: URL, or what is wrong with it. */
function readPhoto(path: string): { url: string } | { problem: string } {
  let bytes: Buffer;
  try {
    // Its size first: a huge file named by mistake is refused without being read.
    const size = statSync(path).size;
    if (size > MAX_DOCTOR_PHOTO_BYTES) {
      return { problem: `is ${Math.ceil(size / 1024)} KiB: make it at most ${MAX_DOCTOR_PHOTO_BYTES / 1024} KiB (a portrait of 400×400 pixels is plenty)` };
    }
    bytes = readFileSync(path);
  } catch (cause) {
    return { problem: `cannot be read (${codeOf(cause) ?? 'unreadable'} at ${path}): give the path of a PNG or JPEG file, relative to this config file` };
  }
  const type = doctorPhotoType(bytes);
  if (!type) return { problem: 'is not a PNG or JPEG image (by its first bytes): save it as PNG or JPEG' };
  return { url: `data:${type};base64,${bytes.toString('base64')}` };
}

/** Checks a secret against its scrypt hash. */
export type SecretVerifier = (secret: string, hash: string) => Promise<boolean>;

export interface DirectoryOptions {
  /** The hub-wide gate every check goes through (a gate of its own when absent). */
  gate?: HashGate;
  /** The check itself (tests observe it); `verifySecret` by default. */
  verify?: SecretVerifier;
}

/** Compared against when the e-mail is unknown, so timing does not tell which accounts exist. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export class BoothDirectory {
  private readonly gate: HashGate;
  private readonly verify: SecretVerifier;

  constructor(private readonly config: Pick<HubConfig, 'booths' | 'specialists'> & Partial<Pick<HubConfig, 'staff'>>, opts: DirectoryOptions = {}) {
    this.gate = opts.gate ?? new HashGate();
    this.verify = opts.verify ?? verifySecret;
  }

  booth(boothId: string): HubConfig['booths'][number] | undefined {
    return this.config.booths.find((b) => b.boothId === boothId);
  }

  /**
   * Whether `token` is `boothId`'s secret; `from` (the caller's address key)
   * takes its turn at the hash gate, ranked by its `standing` (HashGate says how).
   * Throws HubBusyError when the gate is full.
   */
  async verifyBooth(boothId: string, token: string, from = 'local', standing: Standing = 'clean'): Promise<boolean> {
    const booth = this.booth(boothId);
    // Booth ids are not secret (they name the pharmacy's booth in its config and logs): an unknown
    // one is refused without the hash, so a flood of made-up ids costs the hub nothing.
    if (!booth) return false;
    return this.gate.run(from, () => this.verify(token, booth.tokenHash), standing);
  }

  specialistById(id: string): HubConfig['specialists'][number] | undefined {
    return this.config.specialists.find((s) => s.id === id);
  }

  specialistByEmail(email: string): HubConfig['specialists'][number] | undefined {
    return this.config.specialists.find((s) => s.email.toLowerCase() === email.toLowerCase());
  }

  /** Like verifyBooth, for a specialist's password. */
  async verifySpecialist(email: string, password: string, from = 'local', standing: Standing = 'clean'): Promise<HubConfig['specialists'][number] | null> {
    const s = this.specialistByEmail(email);
    const ok = await this.gate.run(from, () => this.verify(password, s?.passwordHash ?? DUMMY_HASH), standing);
    return ok && s ? s : null;
  }

  staffById(id: string): StaffAccount | undefined {
    return this.config.staff?.find((s) => s.id === id);
  }

  /** The booths of a pharmacy (its counter page's board). */
  boothsOfPharmacy(pharmacyId: string): HubConfig['booths'] {
    return this.config.booths.filter((b) => b.pharmacyId === pharmacyId);
  }

  staffByEmail(email: string): StaffAccount | undefined {
    return this.config.staff?.find((x) => x.email.toLowerCase() === email.toLowerCase());
  }

  /** Like verifySpecialist, for a member of a pharmacy's staff (the counter page). */
  async verifyStaff(email: string, password: string, from = 'local', standing: Standing = 'clean'): Promise<StaffAccount | null> {
    const s = this.staffByEmail(email);
    const ok = await this.gate.run(from, () => this.verify(password, s?.passwordHash ?? DUMMY_HASH), standing);
    return ok && s ? s : null;
  }
}

export type StaffAccount = HubConfig['staff'][number];
