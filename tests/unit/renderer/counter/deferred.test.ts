/**
 * "Examen différé" on the counter page: the checklist edited from the
 * specialty's default, and the request checked field by field before it is
 * sent, so that nothing the shared schema refuses leaves the page.
 */
import { describe, expect, it } from 'vitest';
import { CaseRequest, DEFAULT_CHECKLIST } from '../../../../src/shared/case-record';
import { addItem, canAdd, deferredRequest, newDeferred, removeItem, setDetail, withSpecialty, type DeferredDraft } from '../../../../src/renderer/counter/src/deferred';

const ready = (over: Partial<DeferredDraft> = {}): DeferredDraft => ({
  ...newDeferred('dermatology'), question: 'Cette lésion est-elle suspecte ?', contactPhone: '06 12 34 56 78', consent: true, ...over,
});

describe('the deferred exam’s checklist', () => {
  it('starts from the specialty’s default, a copy the page may edit', () => {
    const d = newDeferred('general');
    expect(d.checklist).toEqual(DEFAULT_CHECKLIST.general);
    d.checklist[0] = { id: 'i1', kind: 'spo2' };
    expect(DEFAULT_CHECKLIST.general[0]).toEqual({ id: 'i1', kind: 'temperature' });
  });

  it('takes the new specialty’s checklist and keeps what was typed', () => {
    const d = withSpecialty({ ...newDeferred('general'), question: 'Q ?' }, 'dermatology');
    expect(d.checklist).toEqual(DEFAULT_CHECKLIST.dermatology);
    expect(d.question).toBe('Q ?');
  });

  it('adds items with ids that stay unique after a removal', () => {
    let list = DEFAULT_CHECKLIST.general.slice();
    list = removeItem(list, 'i2');
    list = addItem(list, 'otoscope-photo');
    list = addItem(list, 'dermatoscope-photo');
    expect(list.map((i) => i.id)).toEqual(['i1', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8']);
    expect(list.slice(-2)).toEqual([{ id: 'i7', kind: 'otoscope-photo', ear: 'left' }, { id: 'i8', kind: 'dermatoscope-photo', bodySite: '' }]);
    expect(new Set(list.map((i) => i.id)).size).toBe(list.length);
  });

  it('never adds a second video, nor a 21st item', () => {
    const list = DEFAULT_CHECKLIST.general.slice();
    expect(canAdd(list, 'video')).toBe(false);
    expect(addItem(list, 'video')).toEqual(list);
    let full = list;
    while (canAdd(full, 'spo2')) full = addItem(full, 'spo2');
    expect(full).toHaveLength(20);
  });

  it('changes a lesion’s site, an ear, a point, and only on the item named', () => {
    let list = addItem(addItem(DEFAULT_CHECKLIST.dermatology.slice(), 'otoscope-photo'), 'auscultation');
    list = setDetail(list, 'i1', { bodySite: 'avant-bras gauche' });
    list = setDetail(list, 'i3', { ear: 'right' });
    list = setDetail(list, 'i4', { point: 'lung-back-right' });
    list = setDetail(list, 'i2', { ear: 'right' });
    expect(list).toEqual([
      { id: 'i1', kind: 'dermatoscope-photo', bodySite: 'avant-bras gauche' },
      { id: 'i2', kind: 'video' },
      { id: 'i3', kind: 'otoscope-photo', ear: 'right' },
      { id: 'i4', kind: 'auscultation', point: 'lung-back-right' },
    ]);
  });
});

describe('the deferred exam’s request', () => {
  it('sends a request the shared schema accepts, the phone as typed for the hub to read', () => {
    const r = deferredRequest(ready());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const parsed = CaseRequest.parse(r.request);
    expect(parsed.contactPhone).toBe('0612345678');
    expect(parsed.consent).toBe(true);
  });

  it('says each problem beside its field: question, phone, consent', () => {
    const r = deferredRequest(ready({ question: '  ', contactPhone: '12345', consent: false }));
    expect(!r.ok && Object.fromEntries(r.problems)).toEqual({
      question: 'deferred.problem.question', contactPhone: 'deferred.problem.phone', consent: 'deferred.problem.consent',
    });
  });

  it('names the lesion whose body site is missing, and an empty list', () => {
    const noSite = deferredRequest(ready({ checklist: [{ id: 'i1', kind: 'dermatoscope-photo', bodySite: '   ' }, { id: 'i3', kind: 'dermatoscope-photo', bodySite: 'dos' }] }));
    expect(!noSite.ok && Object.fromEntries(noSite.problems)).toEqual({ 'checklist.i1': 'deferred.problem.bodySite' });
    const empty = deferredRequest(ready({ checklist: [] }));
    expect(!empty.ok && Object.fromEntries(empty.problems)).toEqual({ checklist: 'deferred.problem.empty' });
  });
});
