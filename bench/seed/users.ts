/** The users subgraph's share of the large dataset: organizations, users and their sessions. */
import type { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import type { Role } from '../../platform/principal';
import { hashPassword } from '../../subgraphs/users/services/passwords';
import {
  ORGANIZATIONS,
  pick,
  SEEDED_PASSWORD,
  split,
  type DatasetSize,
  type Organization,
} from './dataset';

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Farid', 'Grace', 'Hiro', 'Inès'];
const LAST_NAMES = ['Martin', 'Okafor', 'Nguyen', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Diaz'];

export async function seedUsers(
  client: Client,
  size: DatasetSize,
  random: () => number,
): Promise<Organization[]> {
  const passwordHash = await hashPassword(SEEDED_PASSWORD);
  const organizations: Organization[] = ORGANIZATIONS.map(({ name, slug }) => ({
    id: randomUUID(),
    name,
    slug,
    users: [],
  }));
  const rows: { email: string; displayName: string; daysAgo: number }[] = [];
  split(size.users).forEach((count, o) => {
    const organization = organizations[o]!;
    for (let k = 0; k < count; k++) {
      const first = pick(random, FIRST_NAMES);
      const last = pick(random, LAST_NAMES);
      const ascii = first.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
      const username = `${ascii}.${last.toLowerCase()}${o}${k}`;
      const roll = random();
      // The first user signed the organization up: its ADMIN.
      const role: Role =
        k === 0 || roll < 0.04
          ? 'ADMIN'
          : roll < 0.25
            ? 'OPERATOR'
            : roll < 0.8
              ? 'DEVELOPER'
              : 'VIEWER';
      organization.users.push({
        id: randomUUID(),
        organizationId: organization.id,
        username,
        role,
        sessionId: randomUUID(),
      });
      rows.push({
        email: `${username}@${organization.slug}.example`,
        displayName: `${first} ${last}`,
        // Older accounts first, as an organization grows.
        daysAgo: 400 - (k / count) * 390,
      });
    }
  });
  const users = organizations.flatMap((o) => o.users);
  await client.query('begin');
  await client.query(
    `insert into users.organizations (id, name, slug, created_at)
     select id, name, slug, now() - interval '410 days'
     from unnest($1::uuid[], $2::text[], $3::text[]) as o(id, name, slug)`,
    [
      organizations.map((o) => o.id),
      organizations.map((o) => o.name),
      organizations.map((o) => o.slug),
    ],
  );
  await client.query(
    `insert into users.users
       (id, organization_id, username, email, display_name, role, password_hash, created_at)
     select id, org, username, email, display_name, role, $7,
       now() - make_interval(secs => days_ago * 86400)
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $8::float8[])
       as u(id, org, username, email, display_name, role, days_ago)`,
    [
      users.map((u) => u.id),
      users.map((u) => u.organizationId),
      users.map((u) => u.username),
      rows.map((r) => r.email),
      rows.map((r) => r.displayName),
      users.map((u) => u.role),
      passwordHash,
      rows.map((r) => r.daysAgo),
    ],
  );
  // Everyone is signed in: one session each, as login leaves it.
  await client.query(
    `insert into users.sessions (id, user_id, created_at, expires_at)
     select id, user_id, now(), now() + interval '30 days'
     from unnest($1::uuid[], $2::uuid[]) as s(id, user_id)`,
    [users.map((u) => u.sessionId), users.map((u) => u.id)],
  );
  await client.query('commit');
  return organizations;
}
