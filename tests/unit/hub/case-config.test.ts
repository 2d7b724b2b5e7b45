/** Doctors' case queues in the hub config: general medicine when absent, a known specialty each, the demo file's dermatologist. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HubConfig, loadHubConfig, verifySecret } from '../../../src/hub/directory';

const HASH = 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const doctor = { id: 'dr-a', email: 'dr.a@example.org', name: 'Dr A', passwordHash: HASH };

describe('the case queues a doctor answers', () => {
  it('answers general medicine when the account names none', () => {
    expect(HubConfig.parse({ specialists: [doctor] }).specialists[0]?.cases).toEqual(['general']);
  });

  it('refuses an unknown specialty or an empty list, naming the field and the specialties there are', () => {
    for (const cases of [['cardiology'], [], 'dermatology']) {
      const r = HubConfig.safeParse({ specialists: [{ ...doctor, cases }] });
      expect(r.success, JSON.stringify(cases)).toBe(false);
      expect(r.error?.issues[0]?.path.slice(0, 3)).toEqual(['specialists', 0, 'cases']);
      expect(r.error?.issues.map((i) => i.message).join(' ')).toMatch(/general.*dermatology/);
    }
  });

  it('ships a demo dermatologist beside the general practitioner, with a password hash of his own', async () => {
    const config = loadHubConfig(fileURLToPath(new URL('../../../hub-config/default.json', import.meta.url)));
    const martin = config.specialists.find((s) => s.id === 'dr-martin')!;
    const bernard = config.specialists.find((s) => s.id === 'dr-bernard')!;
    expect(martin.cases).toEqual(['general']);
    expect(bernard).toMatchObject({ email: 'dr.bernard@cabine.example', name: 'Dr Paul Bernard', specialty: 'Dermatologie', cases: ['dermatology'] });
    expect(bernard.passwordHash).not.toBe(martin.passwordHash);
    expect(await verifySecret('consultation-demo', bernard.passwordHash)).toBe(true);
  });
});
