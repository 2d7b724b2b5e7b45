/** Staff accounts in the hub config: each is bound to the pharmacy of some booth, or the config is refused. */
import { describe, expect, it } from 'vitest';
import { HubConfig } from '../../../src/hub/directory';

const HASH = 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const booth = { boothId: 'b1', tokenHash: HASH, pharmacyId: 'place', pharmacy: { name: 'Pharmacie de la Place', city: 'Aurillac' } };
const marie = { id: 'marie', email: 'marie@example.org', name: 'Marie Dubois', firstName: 'Marie', pharmacyId: 'place', passwordHash: HASH };

describe('staff accounts in the hub config', () => {
  it('takes a member of staff bound to a booth\'s pharmacy, with the re-ring delay defaulted', () => {
    const c = HubConfig.parse({ booths: [booth], staff: [marie] });
    expect(c.staff).toEqual([marie]);
    expect(c.counter.ringAgainSeconds).toBe(60);
  });

  it('refuses a member of staff whose pharmacy no booth belongs to, naming the field', () => {
    const r = HubConfig.safeParse({ booths: [booth], staff: [{ ...marie, pharmacyId: 'elsewhere' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['staff', 0, 'pharmacyId']);
  });
});
