import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PersonOperation, PersonRef } from '../src/emulator/operations.js';
import { WorkspaceState } from '../src/emulator/state.js';
import type { EmulatorPerson } from '../src/emulator/types.js';

/**
 * Person lookups go through indexes (id, lower-cased email, cio_id) rather than a scan. These
 * check the indexes follow every change of identifiers, and agree with a scan of the identities.
 */

const NOW_MS = Date.UTC(2026, 0, 1);

const newState = () =>
  new WorkspaceState({
    siteId: 'site',
    apiKey: 'key',
    region: 'us',
    environmentId: 1,
  });

const byId = (value: string): PersonRef => ({ kind: 'id', value });
const byEmail = (value: string): PersonRef => ({ kind: 'email', value });
const byCioId = (value: string): PersonRef => ({ kind: 'cio_id', value });

const identify = (
  person: PersonRef,
  attributes: Record<string, unknown> = {},
  updateOnly = false,
): PersonOperation => ({ action: 'identify', person, attributes, updateOnly });

interface Identity {
  id?: string;
  email?: string;
}

/** The state's private tables, read for the brute-force comparison only. */
const internals = (state: WorkspaceState) =>
  state as unknown as {
    identities: Map<string, Identity>;
    cioIdById: Map<string, string>;
    cioIdByEmail: Map<string, string>;
    peopleByCioId: Map<string, EmulatorPerson>;
  };

/** The lookup as it was before the indexes: a scan over every identity, first match wins. */
function scanFind(state: WorkspaceState, ref: PersonRef): EmulatorPerson | undefined {
  const { identities, peopleByCioId } = internals(state);
  if (ref.kind === 'cio_id') return peopleByCioId.get(ref.value);
  const wanted = ref.kind === 'email' ? ref.value.toLowerCase() : ref.value;
  for (const [cioId, identity] of identities) {
    const candidate = ref.kind === 'email' ? identity.email?.toLowerCase() : identity.id;
    if (candidate === wanted) return peopleByCioId.get(cioId);
  }
  return undefined;
}

function scanGet(state: WorkspaceState, identifier: string): EmulatorPerson | undefined {
  if (identifier.startsWith('cio_')) {
    const byCio = internals(state).peopleByCioId.get(identifier.slice(4));
    if (byCio) return byCio;
  }
  return scanFind(state, byId(identifier)) ?? scanFind(state, byEmail(identifier));
}

describe('person lookup indexes', () => {
  it('follow an id change made through cio_id', () => {
    const state = newState();
    state.apply(identify(byId('old'), { email: 'Ann@Example.com' }), NOW_MS);
    const person = state.find(byId('old'));
    expect(person).toBeDefined();
    const cioId = person?.cioId ?? '';

    expect(state.apply(identify(byCioId(cioId), { id: 'new' }), NOW_MS)).toBe('applied');

    expect(state.find(byId('old'))).toBeUndefined();
    expect(state.find(byId('new'))).toBe(person);
    expect(state.find(byEmail('ann@example.COM'))).toBe(person);
    expect(state.people.get('new')).toBe(person);
    expect(state.people.get('old')).toBeUndefined();
    expect(state.people.get(`cio_${cioId}`)).toBe(person);
  });

  it('follow an email change, matching emails in any case', () => {
    const state = newState();
    state.apply(identify(byEmail('First@Example.com')), NOW_MS);
    const person = state.find(byEmail('first@example.com'));
    const cioId = person?.cioId ?? '';

    state.apply(identify(byCioId(cioId), { email: 'Second@Example.com' }), NOW_MS);

    expect(state.find(byEmail('FIRST@example.com'))).toBeUndefined();
    expect(state.find(byEmail('second@EXAMPLE.com'))).toBe(person);
    expect(state.people.get('SECOND@example.com')).toBe(person);
    // Only the case changes: still the same person, found under either case.
    state.apply(identify(byCioId(cioId), { email: 'second@example.com' }), NOW_MS);
    expect(state.find(byEmail('Second@Example.com'))).toBe(person);
    expect(person?.email).toBe('second@example.com');
  });

  it('give the path id to the person found by body email, freeing their old id', () => {
    const state = newState();
    state.apply(identify(byId('q'), { email: 'e@x.com' }), NOW_MS);
    const person = state.find(byId('q'));

    expect(state.apply(identify(byId('p'), { email: 'E@x.com' }), NOW_MS)).toBe('applied');

    expect(state.find(byId('p'))).toBe(person);
    expect(state.find(byId('q'))).toBeUndefined();
    expect(state.people.size).toBe(1);
  });

  it('move the secondary email to the primary on merge, and free the secondary id', () => {
    const state = newState();
    state.apply(identify(byId('primary')), NOW_MS);
    state.apply(identify(byId('secondary'), { email: 'Dup@x.com' }), NOW_MS);
    const primary = state.find(byId('primary'));

    expect(
      state.apply(
        { action: 'merge', primary: byId('primary'), secondary: byId('secondary') },
        NOW_MS,
      ),
    ).toBe('applied');

    expect(state.find(byId('secondary'))).toBeUndefined();
    expect(state.find(byEmail('dup@X.com'))).toBe(primary);
    expect(state.people.get('dup@x.com')).toBe(primary);
    // The freed id makes a new person.
    state.apply(
      { action: 'event', person: byId('secondary'), name: 'e', type: 'event', data: {} },
      NOW_MS,
    );
    expect(state.find(byId('secondary'))).not.toBe(primary);
    expect(state.people.size).toBe(2);
  });

  it('forget deleted people, and a re-created id is a new person', () => {
    const state = newState();
    state.apply(identify(byId('gone'), { email: 'gone@x.com' }), NOW_MS);
    const before = state.find(byId('gone'));

    state.apply({ action: 'delete', person: byEmail('GONE@x.com') }, NOW_MS);

    expect(state.find(byId('gone'))).toBeUndefined();
    expect(state.find(byEmail('gone@x.com'))).toBeUndefined();
    expect(state.find(byCioId(before?.cioId ?? ''))).toBeUndefined();
    state.apply(identify(byId('gone')), NOW_MS);
    const after = state.find(byId('gone'));
    expect(after).toBeDefined();
    expect(after?.cioId).not.toBe(before?.cioId);
    expect(state.find(byEmail('gone@x.com'))).toBeUndefined();
  });

  it('keep suppressed people findable until unsuppressed, then forget them', () => {
    const state = newState();
    state.apply(identify(byId('known'), { email: 'known@x.com' }), NOW_MS);
    state.apply({ action: 'suppress', person: byId('known') }, NOW_MS);
    state.apply({ action: 'suppress', person: byEmail('Unknown@x.com') }, NOW_MS);

    expect(state.find(byEmail('KNOWN@x.com'))?.suppressed).toBe(true);
    expect(state.find(byEmail('unknown@x.com'))?.suppressed).toBe(true);
    // Deleting a suppressed person is dropped and keeps them.
    expect(state.apply({ action: 'delete', person: byId('known') }, NOW_MS)).toBe('dropped');
    expect(state.find(byId('known'))).toBeDefined();

    state.apply({ action: 'unsuppress', person: byEmail('known@X.com') }, NOW_MS);
    state.apply({ action: 'unsuppress', person: byEmail('unknown@x.com') }, NOW_MS);

    expect(state.find(byId('known'))).toBeUndefined();
    expect(state.find(byEmail('known@x.com'))).toBeUndefined();
    expect(state.find(byEmail('unknown@x.com'))).toBeUndefined();
    expect(state.people.size).toBe(0);
    state.apply(identify(byEmail('known@x.com')), NOW_MS);
    expect(state.find(byEmail('known@x.com'))?.suppressed).toBe(false);
  });

  it('are emptied by clear', () => {
    const state = newState();
    state.apply(identify(byId('a'), { email: 'a@x.com' }), NOW_MS);
    state.clear();
    expect(state.find(byId('a'))).toBeUndefined();
    expect(state.find(byEmail('a@x.com'))).toBeUndefined();
    expect(internals(state).cioIdById.size).toBe(0);
    expect(internals(state).cioIdByEmail.size).toBe(0);
  });
});

describe('person lookup indexes, property', () => {
  // Small pools, so operations keep colliding on the same people.
  const ids = ['a', 'b', 'c', 'A'];
  const emails = ['x@e.com', 'X@E.com', 'y@e.com', 'Y@e.COM', 'z@e.com'];
  const cioIds = Array.from({ length: 12 }, (_, index) => (0xa3000001 + index).toString(16));

  const refArb: fc.Arbitrary<PersonRef> = fc.oneof(
    fc.constantFrom(...ids).map(byId),
    fc.constantFrom(...emails).map(byEmail),
    fc.constantFrom(...cioIds).map(byCioId),
  );
  const bodyArb = fc.record(
    { id: fc.constantFrom(...ids, ''), email: fc.constantFrom(...emails, '') },
    { requiredKeys: [] },
  );
  const operationArb: fc.Arbitrary<PersonOperation> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(refArb, bodyArb, fc.boolean())
        .map(([ref, body, updateOnly]) => identify(ref, body, updateOnly)),
    },
    {
      weight: 2,
      arbitrary: refArb.map(
        (person): PersonOperation => ({
          action: 'event',
          person,
          name: 'e',
          type: 'event',
          data: {},
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: refArb.map((person): PersonOperation => ({ action: 'delete', person })),
    },
    {
      weight: 1,
      arbitrary: refArb.map((person): PersonOperation => ({ action: 'suppress', person })),
    },
    {
      weight: 1,
      arbitrary: refArb.map((person): PersonOperation => ({ action: 'unsuppress', person })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(refArb, refArb)
        .map(([primary, secondary]): PersonOperation => ({ action: 'merge', primary, secondary })),
    },
    {
      weight: 1,
      arbitrary: refArb.map(
        (person): PersonOperation => ({
          action: 'add_device',
          person,
          device: { token: 't', platform: 'ios', attributes: {} },
        }),
      ),
    },
    { weight: 1, arbitrary: fc.constant<PersonOperation>({ action: 'accept' }) },
  );

  const probes: PersonRef[] = [
    ...ids.map(byId),
    ...emails.map(byId),
    ...emails.map(byEmail),
    ...ids.map(byEmail),
    ...cioIds.map(byCioId),
  ];
  const identifiers = [...ids, ...emails, ...cioIds.map((cioId) => `cio_${cioId}`)];

  it('agree with a scan of every identity after any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(operationArb, fc.boolean()), { maxLength: 40 }), (steps) => {
        const state = newState();
        for (const [operation, clearFirst] of steps) {
          // Now and then start over, so clear() is covered too.
          if (clearFirst && operation.action === 'accept') state.clear();
          state.apply(operation, NOW_MS);

          for (const ref of probes) expect(state.find(ref)).toBe(scanFind(state, ref));
          for (const identifier of identifiers) {
            expect(state.people.get(identifier)).toBe(scanGet(state, identifier));
          }
          // The indexes hold exactly what the identities say, and no identifier twice.
          const { identities, cioIdById, cioIdByEmail } = internals(state);
          const expectedById = new Map<string, string>();
          const expectedByEmail = new Map<string, string>();
          for (const [cioId, identity] of identities) {
            if (identity.id !== undefined) {
              expect(expectedById.has(identity.id)).toBe(false);
              expectedById.set(identity.id, cioId);
            }
            if (identity.email !== undefined) {
              const key = identity.email.toLowerCase();
              expect(expectedByEmail.has(key)).toBe(false);
              expectedByEmail.set(key, cioId);
            }
          }
          expect(cioIdById).toEqual(expectedById);
          expect(cioIdByEmail).toEqual(expectedByEmail);
        }
      }),
      { numRuns: 300 },
    );
  });
});
