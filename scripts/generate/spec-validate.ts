// SPDX-License-Identifier: MIT
// Checks the meaning of the spec: every type known, vtable slots contiguous and unique, every method and
// export with a policy entry, every policy entry pointing at something real, the mapping covering ds_request.
// The first problem found throws a SpecError naming the entry.
import { SpecError } from './errors.ts';
import { parseType, type ParsedType } from './ctypes.ts';
import type { FieldEntry, InterfaceEntry, RawSpec } from './spec-schema.ts';
import { VersionOrder } from './versions.ts';

/** HRESULTs from winerror.h a policy or mapping may name besides the spec's own E_DSTORAGE_*. */
export const SYSTEM_HRESULTS = [
  'S_OK',
  'S_FALSE',
  'E_FAIL',
  'E_INVALIDARG',
  'E_POINTER',
  'E_NOTIMPL',
  'E_OUTOFMEMORY',
  'E_NOINTERFACE',
  'E_PENDING',
];
const IID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function validateSpec(spec: RawSpec, runtimeRequestFields: string[]): void {
  const versions = new VersionOrder(spec.sdk.versions.map((v) => v.name));
  if (!versions.has(spec.sdk.latest)) throw new SpecError('sdk.json', `latest "${spec.sdk.latest}" is not in versions`);
  const checkVersions = (entry: string, v: { since?: string; until?: string }) => {
    for (const key of ['since', 'until'] as const) {
      const name = v[key];
      if (name !== undefined && !versions.has(name))
        throw new SpecError(entry, `${key} "${name}" is not an SDK version in sdk.json`);
    }
  };

  // Names: one namespace for types.
  const kinds = new Map<string, string>();
  const declare = (name: string, kind: string, entry: string) => {
    if (kinds.has(name)) throw new SpecError(entry, `"${name}" is declared twice (already a ${kinds.get(name)})`);
    kinds.set(name, kind);
  };
  for (const t of spec.types.builtin) declare(t.name, 'builtin', `types.json: ${t.name}`);
  for (const t of spec.types.external)
    declare(t.name, t.unixOnly ? 'unix-external' : 'external', `types.json: ${t.name}`);
  const enumBases = new Map<string, string>();
  for (const e of spec.enums.enums) {
    declare(e.name, 'enum', `enums.json: ${e.name}`);
    checkVersions(`enums.json: ${e.name}`, e);
    if (e.base && kinds.get(e.base) !== 'builtin')
      throw new SpecError(`enums.json: ${e.name}`, `unknown base type "${e.base}"`);
    enumBases.set(e.name, e.base ?? 'int');
    for (const v of e.values) {
      if (!Array.isArray(v) || v.length < 2 || (v[2] !== undefined && !versions.has(v[2])))
        throw new SpecError(
          `enums.json: ${e.name}`,
          `value ${JSON.stringify(v)} must be [name, value] or [name, value, since-version]`,
        );
    }
  }
  const constants = new Set(spec.constants.constants.map((c) => c.name));
  constants.add('MAX_PATH');
  const hresults = new Set([...SYSTEM_HRESULTS, ...spec.hresults.hresults.map((h) => h.name)]);
  for (const h of spec.hresults.hresults) {
    if (!/^E_DSTORAGE_[A-Z0-9_]+$/.test(h.name) || !/^0x[0-9A-F]{2}$/.test(h.code))
      throw new SpecError(
        `hresults.json: ${h.name}`,
        `expected an E_DSTORAGE_* name and a 0xNN code, got ${h.name} ${h.code}`,
      );
  }
  for (const i of spec.interfaces.interfaces) declare(i.name, 'interface', `interfaces.json: ${i.name}`);

  const pointerTypedefs = new Set(spec.types.builtin.filter((t) => t.pointer).map((t) => t.name));
  const publicKinds = ['builtin', 'external', 'enum', 'struct', 'union', 'interface'];
  const checkType = (
    entry: string,
    text: string | undefined,
    allowed: string[],
    extra: Set<string> = new Set(),
  ): ParsedType => {
    const t = text === undefined ? null : parseType(text);
    if (!t)
      throw new SpecError(
        entry,
        `cannot parse type "${text}"`,
        'write types as in C: "const NAME*", "UINT32", "void**"',
      );
    if (t.handleOf) return t;
    if (t.isStruct ? !extra.has(t.base) : !allowed.includes(kinds.get(t.base) ?? '')) {
      throw new SpecError(
        entry,
        `unknown type "${t.base}"`,
        `declare it in types.json, enums.json or structs.json before use`,
      );
    }
    return t;
  };

  // Structs, in order: a field may only use structs declared above it.
  const checkFields = (entry: string, fields: FieldEntry[]) => {
    const names = new Set<string>();
    for (const f of fields) {
      if (f.union) {
        checkFields(`${entry} (anonymous union)`, f.union);
        continue;
      }
      const where = `${entry}.${f.name}`;
      if (!f.name) throw new SpecError(entry, 'a field has no name');
      if (names.has(f.name)) throw new SpecError(where, 'field declared twice');
      names.add(f.name);
      checkVersions(where, f);
      const t = checkType(where, f.type, publicKinds);
      if (f.bits !== undefined) {
        const base = enumBases.get(t.base) ?? t.base;
        if (t.pointers || !['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT32', 'INT64', 'int'].includes(base))
          throw new SpecError(where, `bitfield on non-integer type "${f.type}"`);
      }
      for (const a of [f.array, ...Object.values(f.sdk ?? {}).map((o) => o.array)]) {
        if (typeof a === 'string' && !constants.has(a))
          throw new SpecError(where, `array size "${a}" is not a constant of constants.json`);
      }
      for (const v of Object.keys(f.sdk ?? {}))
        if (!versions.has(v)) throw new SpecError(where, `sdk override for unknown version "${v}"`);
    }
  };
  for (const s of spec.structs.structs) {
    const entry = `structs.json: ${s.name}`;
    checkVersions(entry, s);
    checkFields(entry, s.fields);
    if (typeof s.size === 'object')
      for (const v of Object.keys(s.size))
        if (!versions.has(v)) throw new SpecError(entry, `size for unknown version "${v}"`);
    declare(s.name, s.kind === 'union' ? 'union' : 'struct', entry);
  }

  // Interfaces: parents first, IIDs well-formed, slots continue the parent's without gaps or repeats.
  const byName = new Map<string, InterfaceEntry>();
  const slotCount = new Map<string, number>();
  for (const i of spec.interfaces.interfaces) {
    const entry = `interfaces.json: ${i.name}`;
    checkVersions(entry, i);
    if (!IID_RE.test(i.iid)) throw new SpecError(entry, `IID "${i.iid}" is not a lower-case GUID string`);
    let first = 0;
    if (i.parent !== undefined) {
      if (!byName.has(i.parent))
        throw new SpecError(entry, `parent "${i.parent}" is unknown or declared after ${i.name}`);
      first = slotCount.get(i.parent)!;
    } else if (!i.external)
      throw new SpecError(entry, 'no parent (every DirectStorage interface derives from IUnknown)');
    const seen = new Map<number, string>();
    for (const m of i.methods) {
      const where = `${entry}::${m.name}`;
      if (seen.has(m.slot))
        throw new SpecError(
          where,
          `duplicate vtable slot ${m.slot} (also ${i.name}::${seen.get(m.slot)})`,
          'give each method its own slot, in vtable order',
        );
      seen.set(m.slot, m.name);
      if (m.returns !== 'void') checkType(`${where} (return)`, m.returns, publicKinds);
      for (const p of m.params) {
        const t = checkType(`${where}(${p.name})`, p.type, publicKinds);
        if (p.null !== undefined) {
          if (m.returns !== 'HRESULT')
            throw new SpecError(`${where}(${p.name})`, '"null" result on a method that does not return HRESULT');
          if (!t.pointers && !pointerTypedefs.has(t.base))
            throw new SpecError(`${where}(${p.name})`, '"null" result on a parameter that is not a pointer');
          if (!hresults.has(p.null)) throw new SpecError(`${where}(${p.name})`, `unknown HRESULT "${p.null}"`);
        }
      }
    }
    const slots = [...seen.keys()].sort((a, b) => a - b);
    slots.forEach((slot, k) => {
      if (slot !== first + k)
        throw new SpecError(
          `${entry}::${seen.get(slot)}`,
          `vtable slot ${slot} leaves a gap: ${i.name}'s slots must run ${first}..${first + slots.length - 1}`,
        );
    });
    byName.set(i.name, i);
    slotCount.set(i.name, first + i.methods.length);
  }

  for (const e of spec.exports.exports) {
    const entry = `exports.json: ${e.name}`;
    checkVersions(entry, e);
    checkType(`${entry} (return)`, e.returns, publicKinds);
    for (const p of e.params) checkType(`${entry}(${p.name})`, p.type, publicKinds);
  }

  // Objects: every DirectStorage interface has exactly one home.
  const home = new Map<string, string>();
  const ancestors = (name: string): string[] => {
    const out: string[] = [];
    for (let i = byName.get(name); i && !i.external; i = i.parent ? byName.get(i.parent) : undefined) out.push(i.name);
    return out;
  };
  for (const o of spec.objects.objects) {
    for (const name of o.interfaces) {
      if (!byName.has(name) || byName.get(name)!.external)
        throw new SpecError(`objects.json: ${o.name}`, `unknown interface "${name}"`);
      for (const a of ancestors(name)) {
        if (home.has(a))
          throw new SpecError(`objects.json: ${o.name}`, `${a} is already implemented by object "${home.get(a)}"`);
        home.set(a, o.name);
      }
    }
  }

  // Unix calls: types and runtime bindings.
  const unixStructs = new Set(spec.unixcalls.types.map((t) => t.name));
  const unixObjects = new Map(spec.unixcalls.objects.map((o) => [o.name, o]));
  const unixKinds = [...publicKinds, 'unix-external'];
  const callNames = new Set<string>();
  for (const t of spec.unixcalls.types)
    for (const f of t.fields) {
      const pt = checkType(`unixcalls.json: ${t.name}.${f.name}`, f.type, publicKinds, unixStructs);
      if (pt.handleOf && !unixObjects.has(pt.handleOf))
        throw new SpecError(`unixcalls.json: ${t.name}.${f.name}`, `handle to unknown Unix object "${pt.handleOf}"`);
    }
  for (const o of spec.unixcalls.objects)
    for (const f of o.fields) checkType(`unixcalls.json: object ${o.name}.${f.name}`, f.type, unixKinds, unixStructs);
  for (const c of spec.unixcalls.calls) {
    const entry = `unixcalls.json: ${c.name}`;
    if (callNames.has(c.name)) throw new SpecError(entry, 'Unix call declared twice');
    callNames.add(c.name);
    const fields = new Map<string, ParsedType>();
    for (const f of c.params) {
      const t = checkType(`${entry}.${f.name}`, f.type, publicKinds, unixStructs);
      if (t.handleOf && !unixObjects.has(t.handleOf))
        throw new SpecError(`${entry}.${f.name}`, `handle to unknown Unix object "${t.handleOf}"`);
      fields.set(f.name, t);
    }
    if (c.runtime) {
      for (const arg of c.runtime.args) {
        const [field, member] = arg.split('.');
        const t = fields.get(field);
        if (!t) throw new SpecError(entry, `runtime argument "${arg}" names no params field`);
        if (
          member !== undefined &&
          (!t.handleOf || !unixObjects.get(t.handleOf)!.fields.some((f) => f.name === member))
        )
          throw new SpecError(
            entry,
            `runtime argument "${arg}": "${field}" is not a handle to an object with member "${member}"`,
          );
      }
      if (c.runtime.store !== undefined && !fields.has(c.runtime.store))
        throw new SpecError(entry, `store field "${c.runtime.store}" is not a params field`);
    }
  }

  // Policy: every method and export has exactly one entry, and every entry is used.
  const policyKeys = new Set(Object.keys(spec.policy.methods));
  for (const i of spec.interfaces.interfaces) {
    if (i.external) continue;
    for (const m of i.methods) {
      const key = `${i.name}::${m.name}`;
      const p = spec.policy.methods[key];
      if (!p)
        throw new SpecError(
          `interfaces.json: ${key}`,
          'method without a policy entry',
          `add "${key}" to templates/spec/policy.json (thunk, hand-written or fixed, with a "why")`,
        );
      policyKeys.delete(key);
      checkPolicy(
        `policy.json: ${key}`,
        p,
        m.params.map((x) => x.name),
        m.returns,
      );
    }
  }
  for (const key of policyKeys)
    throw new SpecError(
      `policy.json: ${key}`,
      'policy entry for a method no interface declares',
      'remove it or fix the name (Interface::Method)',
    );
  const exportKeys = new Set(Object.keys(spec.policy.exports));
  for (const e of spec.exports.exports) {
    const p = spec.policy.exports[e.name];
    if (!p)
      throw new SpecError(
        `exports.json: ${e.name}`,
        'export without a policy entry',
        `add "${e.name}" to the "exports" table of templates/spec/policy.json`,
      );
    if (p.policy !== 'hand-written')
      throw new SpecError(`policy.json: ${e.name}`, 'exports can only be hand-written for now');
    exportKeys.delete(e.name);
  }
  for (const key of exportKeys)
    throw new SpecError(`policy.json: ${key}`, 'policy entry for an export exports.json does not declare');

  function checkPolicy(entry: string, p: RawSpec['policy']['methods'][string], params: string[], returns: string) {
    if (!['thunk', 'hand-written', 'fixed'].includes(p.policy))
      throw new SpecError(entry, `unknown policy "${p.policy}"`, 'use thunk, hand-written or fixed');
    if (!p.why) throw new SpecError(entry, 'no "why": every policy entry says why');
    if (p.policy === 'thunk') {
      const call = spec.unixcalls.calls.find((c) => c.name === p.call);
      if (!call) throw new SpecError(entry, `thunk to unknown Unix call "${p.call}"`);
      for (const [field, source] of Object.entries(p.bind ?? {})) {
        if (!call.params.some((f) => f.name === field))
          throw new SpecError(entry, `bind: "${field}" is not a field of ${p.call}_params`);
        if (source !== 'self.handle' && !params.includes(source))
          throw new SpecError(entry, `bind: "${source}" is not a parameter (nor self.handle)`);
      }
      if (p.returns !== undefined && !call.params.some((f) => f.name === p.returns))
        throw new SpecError(entry, `returns: "${p.returns}" is not a field of ${p.call}_params`);
      if (returns !== 'void' && returns !== 'HRESULT' && p.returns === undefined)
        throw new SpecError(entry, `a thunk for a method returning ${returns} needs "returns"`);
    }
    if (p.policy === 'fixed') {
      if (returns === 'void' ? p.result !== undefined : p.result === undefined)
        throw new SpecError(
          entry,
          returns === 'void' ? 'fixed result on a void method' : 'fixed policy without "result"',
        );
      if (p.result !== undefined && returns === 'HRESULT' && !hresults.has(p.result))
        throw new SpecError(entry, `unknown HRESULT "${p.result}"`);
      for (const z of p.zero ?? [])
        if (!params.includes(z)) throw new SpecError(entry, `zero: "${z}" is not a parameter`);
    }
  }

  // Mapping: HRESULTs known, ids unique, every ds_request field assigned exactly once.
  const ids = new Set<string>();
  for (const row of spec.mapping.validation) {
    const entry = `mapping.json: validation ${row.id}`;
    if (ids.has(row.id)) throw new SpecError(entry, 'validation id used twice');
    ids.add(row.id);
    if (!hresults.has(row.hresult)) throw new SpecError(entry, `unknown HRESULT "${row.hresult}"`);
  }
  const destinationValues = new Set(
    spec.enums.enums.find((e) => e.name === 'DSTORAGE_REQUEST_DESTINATION_TYPE')?.values.map((v) => v[0]),
  );
  for (const row of spec.mapping.destinationSize)
    if (!destinationValues.has(row.type))
      throw new SpecError(`mapping.json: destinationSize ${row.type}`, 'not a DSTORAGE_REQUEST_DESTINATION_TYPE value');
  const assigned = new Set<string>();
  for (const row of spec.mapping.fields) {
    const entry = `mapping.json: field ${row.to}`;
    if (!runtimeRequestFields.includes(row.to))
      throw new SpecError(entry, `ds_request has no field "${row.to}" (runtime/include/ds_runtime.h)`);
    if (assigned.has(row.to)) throw new SpecError(entry, 'assigned twice');
    assigned.add(row.to);
  }
  for (const f of runtimeRequestFields)
    if (!assigned.has(f))
      throw new SpecError(
        `mapping.json: fields`,
        `ds_request field "${f}" is not mapped`,
        'add a row to "fields" (the runtime header gained a field?)',
      );
}
