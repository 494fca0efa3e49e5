/**
 * One workspace's people and events, and the rules that change them. Both API versions reach this
 * only through {@link WorkspaceState.apply}, so v1 and v2 cannot drift apart.
 */

import type {
  DeviceInput,
  EventOperation,
  IdentifyOperation,
  PersonOperation,
  PersonRef,
} from './operations.js';
import type {
  EmulatorEvent,
  EmulatorPerson,
  EmulatorWorkspace,
  EmulatorWorkspaceView,
} from './types.js';
import { canonicalUlid } from './ulid.js';

/**
 * What became of an operation. `dropped` is answered 200 like `applied`, as Customer.io does
 * when it only logs the failure in the workspace's activity log.
 */
export type ApplyResult = 'applied' | 'dropped' | 'duplicate';

/** Anonymous events and merged history reach back this far, per the Track API docs. */
const historyWindowSeconds = 30 * 24 * 60 * 60;

interface Identity {
  id?: string;
  email?: string;
}

export class WorkspaceState implements EmulatorWorkspaceView {
  readonly people: ReadonlyMap<string, EmulatorPerson>;
  readonly events: EmulatorEvent[] = [];
  private readonly peopleByCioId = new Map<string, EmulatorPerson>();
  /** Per cio_id, the person's identifiers. Write only through {@link setIdentity}. */
  private readonly identities = new Map<string, Readonly<Identity>>();
  /**
   * Indexes over `identities`, so lookups need no scan: id → cio_id, lower-cased email → cio_id.
   * The rules below never let two people share an id or an email (in any case).
   */
  private readonly cioIdById = new Map<string, string>();
  private readonly cioIdByEmail = new Map<string, string>();
  /** Per cio_id, the latest timestamp of an identify applied to the person (see isOutOfOrder). */
  private readonly latestUpdateTimestamps = new Map<string, number>();
  private readonly acceptedEventIds = new Set<string>();
  private cioSequence = 0;

  constructor(readonly workspace: EmulatorWorkspace) {
    this.people = new PeopleView(this.peopleByCioId, (ref) => this.find(ref));
  }

  apply(operation: PersonOperation, nowMs: number): ApplyResult {
    switch (operation.action) {
      case 'identify':
        return this.identify(operation, nowMs);
      case 'event':
        return this.track(operation, nowMs);
      case 'delete':
        return this.remove(operation.person);
      case 'suppress':
        return this.suppress(operation.person);
      case 'unsuppress':
        return this.unsuppress(operation.person);
      case 'add_device':
        return this.addDevice(operation.person, operation.device, nowMs);
      case 'delete_device':
        return this.deleteDevice(operation.person, operation.token);
      case 'merge':
        return this.merge(operation.primary, operation.secondary, nowMs);
      case 'accept':
        return 'applied';
    }
  }

  find(ref: PersonRef): EmulatorPerson | undefined {
    if (ref.kind === 'cio_id') return this.peopleByCioId.get(ref.value);
    // Customer.io treats emails case-insensitively, ids exactly.
    const cioId =
      ref.kind === 'email'
        ? this.cioIdByEmail.get(ref.value.toLowerCase())
        : this.cioIdById.get(ref.value);
    return cioId === undefined ? undefined : this.peopleByCioId.get(cioId);
  }

  clear(): void {
    this.events.length = 0;
    this.peopleByCioId.clear();
    this.identities.clear();
    this.cioIdById.clear();
    this.cioIdByEmail.clear();
    this.latestUpdateTimestamps.clear();
    this.acceptedEventIds.clear();
    this.cioSequence = 0;
  }

  private identify(operation: IdentifyOperation, nowMs: number): ApplyResult {
    const { attributes } = operation;
    const bodyId = nonEmptyString(attributes.id);
    const bodyEmail = nonEmptyString(attributes.email);
    const ownerOfBodyId =
      bodyId === undefined ? undefined : this.find({ kind: 'id', value: bodyId });
    const ownerOfBodyEmail =
      bodyEmail === undefined ? undefined : this.find({ kind: 'email', value: bodyEmail });

    const path = operation.person;
    let person = this.find(path);
    /** The path identifier a person found by body identifiers takes, once the update is known to apply. */
    let adopted: Identity | undefined;
    if (person === undefined) {
      if (path.kind === 'cio_id') return 'dropped';
      // An unknown path identifier with body identifiers that belong to someone updates that
      // someone and gives them the path identifier (the "identify upsert pitfall").
      if (ownerOfBodyId && ownerOfBodyEmail && ownerOfBodyId !== ownerOfBodyEmail) return 'dropped';
      person = ownerOfBodyId ?? ownerOfBodyEmail;
      if (person === undefined) {
        if (operation.updateOnly) return 'dropped';
        if (changesIdentifier({ [path.kind]: path.value }, bodyId, bodyEmail)) return 'dropped';
        person = this.create({ [path.kind]: path.value });
      } else {
        if (person.suppressed) return 'dropped';
        adopted = { ...this.identityOf(person), [path.kind]: path.value };
        if (changesIdentifier(adopted, bodyId, bodyEmail)) return 'dropped';
      }
    } else if (person.suppressed) {
      return 'dropped';
    }
    // Body identifiers that belong to someone else, or that would change an identifier without
    // addressing the person by cio_id: Customer.io answers 200 and logs an Attribute Update Failure.
    if ((ownerOfBodyId ?? person) !== person || (ownerOfBodyEmail ?? person) !== person) {
      return 'dropped';
    }
    if (path.kind !== 'cio_id' && changesIdentifier(this.identityOf(person), bodyId, bodyEmail)) {
      return 'dropped';
    }

    this.recordUpdate(person, operation, nowMs);
    if (this.isOutOfOrder(person, operation)) return 'applied';
    if (adopted !== undefined) this.setIdentity(person.cioId, adopted);
    this.setIdentity(person.cioId, {
      ...this.identityOf(person),
      ...(bodyId === undefined ? {} : { id: bodyId }),
      ...(bodyEmail === undefined ? {} : { email: bodyEmail }),
    });
    this.applyAttributes(person, operation);
    this.syncPrimaryIdentifier(person);

    const anonymousId = nonEmptyString(attributes.anonymous_id);
    if (anonymousId !== undefined) this.adoptAnonymousEvents(person, anonymousId, nowMs);
    return 'applied';
  }

  /** Every identify answered 200 is listed, applied or not (see isOutOfOrder). */
  private recordUpdate(person: EmulatorPerson, operation: IdentifyOperation, nowMs: number): void {
    person.updates.push({
      attributes: operation.attributes,
      ...(operation.timestamp === undefined ? {} : { timestamp: operation.timestamp }),
      receivedAt: nowMs,
    });
  }

  /**
   * The emulator's one assumption about the order of identify calls, stated here only. True when the
   * identify is to be ignored.
   *
   * Customer.io documents no more than this about an identify's `timestamp` (v2) or `_timestamp` (v1): it
   * "can be used to control the order of attribute updates when multiple requests are sent in rapid
   * succession". The emulator reads it at the person level, and no further:
   * - an identify whose timestamp is older than the latest timestamp of an identify applied to the same person
   *   is ignored as a whole (attributes, removals, identifiers, anonymous merge); it is still answered 200 and
   *   listed in the person's `updates`;
   * - an identify without a timestamp is applied in arrival order, and neither reads nor moves that latest
   *   timestamp (its receipt time is not taken as one);
   * - an equal timestamp applies (the later arrival wins).
   * Per-attribute ordering, or any interplay between timed and untimed updates, is not documented and is not
   * emulated: a test that needs more than this is testing the emulator, not Customer.io.
   */
  private isOutOfOrder(person: EmulatorPerson, operation: IdentifyOperation): boolean {
    const latest = this.latestUpdateTimestamps.get(person.cioId);
    return (
      operation.timestamp !== undefined && latest !== undefined && operation.timestamp < latest
    );
  }

  private applyAttributes(person: EmulatorPerson, operation: IdentifyOperation): void {
    if (operation.timestamp !== undefined) {
      this.latestUpdateTimestamps.set(person.cioId, operation.timestamp);
    }
    for (const [name, value] of Object.entries(operation.attributes)) {
      // Customer.io's documented way to remove an attribute: send it as null or an empty string.
      if (value === null || value === '') delete person.attributes[name];
      else person.attributes[name] = value;
    }
  }

  private track(operation: EventOperation, nowMs: number): ApplyResult {
    const dedupeKey = operation.id === undefined ? undefined : canonicalUlid(operation.id);
    if (dedupeKey !== undefined && this.acceptedEventIds.has(dedupeKey)) return 'duplicate';

    let personId: string | undefined;
    if (operation.person) {
      // Events create the profile they name, like every call that addresses a person by id.
      const person = this.findOrCreate(operation.person);
      if (person === undefined || person.suppressed) return 'dropped';
      personId = person.id;
    }
    if (dedupeKey !== undefined) this.acceptedEventIds.add(dedupeKey);
    this.events.push({
      ...(personId === undefined ? {} : { personId }),
      ...(operation.anonymousId === undefined ? {} : { anonymousId: operation.anonymousId }),
      name: operation.name,
      ...(operation.id === undefined ? {} : { id: operation.id }),
      type: operation.type,
      ...(operation.timestamp === undefined ? {} : { timestamp: operation.timestamp }),
      data: operation.data,
      receivedAt: nowMs,
    });
    return 'applied';
  }

  private remove(ref: PersonRef): ApplyResult {
    const person = this.find(ref);
    if (person === undefined) return 'applied';
    // A suppressed profile is already gone; deleting must not lift the suppression.
    if (person.suppressed) return 'dropped';
    this.forget(person);
    return 'applied';
  }

  private suppress(ref: PersonRef): ApplyResult {
    const person = this.find(ref);
    if (person !== undefined) {
      person.suppressed = true;
      return 'applied';
    }
    if (ref.kind === 'cio_id') return 'dropped';
    // Suppressing an unknown identifier still blocks it.
    this.create({ [ref.kind]: ref.value }).suppressed = true;
    return 'applied';
  }

  /** Frees the identifiers; the suppressed profile is not restored, so the record goes. */
  private unsuppress(ref: PersonRef): ApplyResult {
    const person = this.find(ref);
    if (person?.suppressed) this.forget(person);
    return 'applied';
  }

  private addDevice(ref: PersonRef, device: DeviceInput, nowMs: number): ApplyResult {
    const person = this.findOrCreate(ref);
    if (person === undefined || person.suppressed) return 'dropped';
    // Assumption: a token belongs to one person at a time, so it moves to the latest owner.
    for (const other of this.peopleByCioId.values()) {
      if (other !== person) other.devices = other.devices.filter((d) => d.token !== device.token);
    }
    const existing = person.devices.find((candidate) => candidate.token === device.token);
    const lastUsed = device.lastUsed ?? Math.floor(nowMs / 1000);
    if (existing) {
      existing.platform = device.platform;
      existing.lastUsed = lastUsed;
      existing.attributes = { ...existing.attributes, ...device.attributes };
    } else {
      person.devices.push({
        token: device.token,
        platform: device.platform,
        lastUsed,
        attributes: { ...device.attributes },
      });
    }
    return 'applied';
  }

  private deleteDevice(ref: PersonRef, token: string): ApplyResult {
    const person = this.find(ref);
    if (person === undefined) return 'applied';
    if (person.suppressed) return 'dropped';
    person.devices = person.devices.filter((device) => device.token !== token);
    return 'applied';
  }

  /**
   * The primary keeps its values and gains the secondary's attributes it lacks (unset or empty)
   * and its events from the last 30 days; the secondary is then deleted. Devices are not in
   * Customer.io's list of merged data, so they go with the secondary.
   */
  private merge(primaryRef: PersonRef, secondaryRef: PersonRef, nowMs: number): ApplyResult {
    const primary = this.find(primaryRef);
    const secondary = this.find(secondaryRef);
    if (primary === undefined || primary.suppressed) return 'dropped';
    if (secondary === undefined || secondary.suppressed || secondary === primary) return 'dropped';

    for (const [name, value] of Object.entries(secondary.attributes)) {
      // `id` is an identifier, not data; copying it would give the primary two ids.
      if (name === 'id') continue;
      const current = primary.attributes[name];
      if (current === undefined || current === null || current === '') {
        primary.attributes[name] = value;
      }
    }
    for (const event of this.events) {
      if (event.personId === secondary.id && isRecent(event, nowMs)) event.personId = primary.id;
    }
    const secondaryEmail = this.identityOf(secondary).email;
    this.forget(secondary);
    const primaryIdentity = this.identityOf(primary);
    if (primaryIdentity.email === undefined && secondaryEmail !== undefined) {
      this.setIdentity(primary.cioId, { ...primaryIdentity, email: secondaryEmail });
      this.syncPrimaryIdentifier(primary);
    }
    return 'applied';
  }

  /** Assumes anonymous-event merging is on in the workspace, as the docs describe it. */
  private adoptAnonymousEvents(person: EmulatorPerson, anonymousId: string, nowMs: number): void {
    for (const event of this.events) {
      if (
        event.personId === undefined &&
        event.anonymousId === anonymousId &&
        isRecent(event, nowMs)
      ) {
        event.personId = person.id;
      }
    }
  }

  private findOrCreate(ref: PersonRef): EmulatorPerson | undefined {
    const person = this.find(ref);
    if (person !== undefined || ref.kind === 'cio_id') return person;
    return this.create({ [ref.kind]: ref.value });
  }

  private create(identity: Identity): EmulatorPerson {
    this.cioSequence += 1;
    // Shaped like the spec's example cio_id, `a3000001`, and stable across runs.
    const cioId = (0xa3000000 + this.cioSequence).toString(16);
    const person: EmulatorPerson = {
      id: '',
      cioId,
      attributes: {},
      updates: [],
      devices: [],
      suppressed: false,
    };
    this.peopleByCioId.set(cioId, person);
    this.setIdentity(cioId, { ...identity });
    this.syncPrimaryIdentifier(person);
    return person;
  }

  private forget(person: EmulatorPerson): void {
    this.peopleByCioId.delete(person.cioId);
    this.setIdentity(person.cioId, undefined);
    this.latestUpdateTimestamps.delete(person.cioId);
  }

  /** Replaces (or, with `undefined`, removes) a person's identifiers, keeping the indexes in step. */
  private setIdentity(cioId: string, identity: Readonly<Identity> | undefined): void {
    const previous = this.identities.get(cioId);
    if (previous?.id !== undefined && this.cioIdById.get(previous.id) === cioId) {
      this.cioIdById.delete(previous.id);
    }
    const previousEmail = previous?.email?.toLowerCase();
    if (previousEmail !== undefined && this.cioIdByEmail.get(previousEmail) === cioId) {
      this.cioIdByEmail.delete(previousEmail);
    }
    if (identity === undefined) {
      this.identities.delete(cioId);
      return;
    }
    this.identities.set(cioId, identity);
    if (identity.id !== undefined) this.cioIdById.set(identity.id, cioId);
    if (identity.email !== undefined) this.cioIdByEmail.set(identity.email.toLowerCase(), cioId);
  }

  private identityOf(person: EmulatorPerson): Readonly<Identity> {
    const identity = this.identities.get(person.cioId);
    if (identity === undefined) throw new Error(`No identity for cio_id ${person.cioId}`);
    return identity;
  }

  /** Keeps `person.id`/`email` and the events that name the person in step with its identifiers. */
  private syncPrimaryIdentifier(person: EmulatorPerson): void {
    const identity = this.identityOf(person);
    const primary = identity.id ?? identity.email ?? `cio_${person.cioId}`;
    if (identity.email === undefined) delete person.email;
    else person.email = identity.email;
    if (person.id === primary) return;
    const previous = person.id;
    person.id = primary;
    if (previous === '') return;
    for (const event of this.events) if (event.personId === previous) event.personId = primary;
  }
}

/**
 * `get` resolves any identifier (id, email in any case, `cio_<cioId>`); iteration lists each
 * person once under their primary identifier.
 */
class PeopleView implements ReadonlyMap<string, EmulatorPerson> {
  constructor(
    private readonly peopleByCioId: ReadonlyMap<string, EmulatorPerson>,
    private readonly find: (ref: PersonRef) => EmulatorPerson | undefined,
  ) {}

  get size(): number {
    return this.peopleByCioId.size;
  }

  get(identifier: string): EmulatorPerson | undefined {
    if (identifier.startsWith('cio_')) {
      const byCioId = this.peopleByCioId.get(identifier.slice(4));
      if (byCioId) return byCioId;
    }
    return (
      this.find({ kind: 'id', value: identifier }) ??
      this.find({ kind: 'email', value: identifier })
    );
  }

  has(identifier: string): boolean {
    return this.get(identifier) !== undefined;
  }

  entries() {
    return this.byPrimaryIdentifier().entries();
  }

  keys() {
    return this.byPrimaryIdentifier().keys();
  }

  values() {
    return this.byPrimaryIdentifier().values();
  }

  forEach(
    callback: (
      person: EmulatorPerson,
      identifier: string,
      map: ReadonlyMap<string, EmulatorPerson>,
    ) => void,
  ): void {
    for (const [identifier, person] of this.byPrimaryIdentifier())
      callback(person, identifier, this);
  }

  [Symbol.iterator]() {
    return this.byPrimaryIdentifier()[Symbol.iterator]();
  }

  private byPrimaryIdentifier(): Map<string, EmulatorPerson> {
    return new Map([...this.peopleByCioId.values()].map((person) => [person.id, person]));
  }
}

function isRecent(event: EmulatorEvent, nowMs: number): boolean {
  const happenedAt = event.timestamp ?? Math.floor(event.receivedAt / 1000);
  return Math.floor(nowMs / 1000) - happenedAt <= historyWindowSeconds;
}

function changesIdentifier(
  identity: Identity,
  bodyId: string | undefined,
  bodyEmail: string | undefined,
): boolean {
  const changesId = bodyId !== undefined && identity.id !== undefined && identity.id !== bodyId;
  const changesEmail =
    bodyEmail !== undefined &&
    identity.email !== undefined &&
    identity.email.toLowerCase() !== bodyEmail.toLowerCase();
  return changesId || changesEmail;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
