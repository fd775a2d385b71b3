// SPDX-License-Identifier: MIT
// Turns the validated spec into the render model the templates read. Every string a template prints
// that needs logic (C declarations, GUID bytes, trace formats) is built here, so templates only iterate.
import { declare, isPointer, parseType, SCALAR_LAYOUT, type Language, type ParsedType } from './ctypes.ts';
import type { FieldEntry, InterfaceEntry, MethodEntry, ParamEntry, RawSpec, StructEntry } from './spec-schema.ts';
import type { TargetInfo } from './targets.ts';
import { VersionOrder } from './versions.ts';
import { kitVersion } from '../lib/version.ts';

export interface ModelOptions {
  sdk: string;
  target: TargetInfo;
  generator: string;
}

export function buildModel(spec: RawSpec, options: ModelOptions) {
  const versions = new VersionOrder(spec.sdk.versions.map((v) => v.name));
  const sdk = options.sdk;
  const live = <T extends { since?: string; until?: string }>(list: T[]) =>
    list.filter((e) => versions.includes(e, sdk));
  const spelling = new Map(spec.types.builtin.map((t) => [t.name, t]));
  const rename = (base: string, lang: Language) =>
    (lang === 'c' ? spelling.get(base)?.c : spelling.get(base)?.cxx) ?? base;
  const decl = (type: string, name: string, lang: Language = 'c') => declare(parseType(type)!, name, lang, rename);
  const enumBase = new Map(spec.enums.enums.map((e) => [e.name, e.base ?? null]));
  const interfaces = new Map(spec.interfaces.interfaces.map((i) => [i.name, i]));

  // ----- public header -----
  const enums = live(spec.enums.enums).map((e) => {
    const values = e.values.filter((v) => v[2] === undefined || versions.index(v[2]) <= versions.index(sdk));
    return {
      name: e.name,
      base: e.base ?? null,
      flags: e.flags === true,
      values: values.map((v, k) => ({ name: v[0], value: v[1], comma: k < values.length - 1 ? ',' : '' })),
    };
  });
  const fieldDecls = (fields: FieldEntry[]): unknown[] =>
    live(fields).map((f) => {
      if (f.union) return { union: fieldDecls(f.union), decl: null };
      const override = f.sdk ? versions.pick(f.sdk, sdk) : undefined;
      const array = override?.array ?? f.array;
      return {
        union: null,
        decl: `${decl(f.type!, f.name!)}${array !== undefined ? `[${array}]` : ''}${f.bits !== undefined ? ` : ${f.bits}` : ''}`,
      };
    });
  const structSize = (s: StructEntry) => (typeof s.size === 'number' ? s.size : versions.pick(s.size, sdk)!);
  const structs = live(spec.structs.structs).map((s) => ({
    name: s.name,
    keyword: s.kind === 'union' ? 'union' : 'struct',
    size: structSize(s),
    msStruct: s.fields.some((f) => f.bits !== undefined),
    fields: fieldDecls(s.fields),
  }));

  const guidArgs = (iid: string) => {
    const hex = iid.replace(/-/g, '');
    const bytes = [];
    for (let k = 16; k < 32; k += 2) bytes.push(`0x${hex.slice(k, k + 2)}`);
    return `0x${hex.slice(0, 8)}, 0x${hex.slice(8, 12)}, 0x${hex.slice(12, 16)}, ${bytes.join(', ')}`;
  };
  const chain = (i: InterfaceEntry): InterfaceEntry[] => (i.parent ? [...chain(interfaces.get(i.parent)!), i] : [i]);
  const methodModel = (m: MethodEntry, self: string) => {
    const params = m.params.map((p) => decl(p.type, p.name)).join(', ');
    const cxxParams = m.params.map((p) => decl(p.type, p.name, 'cxx')).join(', ');
    const names = m.params.map((p) => p.name);
    return {
      name: m.name,
      slot: m.slot,
      cReturn: decl(m.returns, ''),
      cxxReturn: decl(m.returns, '', 'cxx'),
      cParams: [`${self} *This`, ...(params ? [params] : [])].join(', '),
      cxxParams: cxxParams || 'void',
      macroArgs: ['This', ...names].join(','),
    };
  };
  const publicInterfaces = live(spec.interfaces.interfaces)
    .filter((i) => !i.external)
    .map((i) => ({
      name: i.name,
      parent: i.parent!,
      iid: i.iid,
      guidArgs: guidArgs(i.iid),
      ownMethods: i.methods.map((m) => methodModel(m, i.name)),
      allMethods: chain(i).flatMap((c) => c.methods.map((m) => methodModel(m, i.name))),
    }));
  const exports = live(spec.exports.exports).map((e) => ({
    name: e.name,
    cReturn: decl(e.returns, ''),
    cParams: e.params.map((p) => decl(p.type, p.name)).join(', ') || 'void',
    specArgs: e.params.map((p) => specArg(parseType(p.type)!, enumBase)).join(' '),
  }));
  const hresults = spec.hresults.hresults.map((h) => ({
    name: h.name,
    value: `0x8924${h.code.slice(2).padStart(4, '0')}`,
    why: h.why ?? null,
  }));
  const sdkInfo = spec.sdk.versions.find((v) => v.name === sdk)!;

  // ----- PE side: objects, vtables, QueryInterface tables, thunks -----
  const calls = new Map(spec.unixcalls.calls.map((c) => [c.name, c]));
  const objects = spec.objects.objects.map((o) => {
    const ifaces = o.interfaces.map((name) => {
      const leaf = interfaces.get(name)!;
      const answers = chain(leaf).map((c) => c.name);
      const entries = chain(leaf).flatMap((c) => c.methods.map((m) => peEntry(o.name, leaf.name, c, m)));
      return {
        name,
        field: `${name}_iface`,
        vtbl: `${o.name}_${name}_vtbl`,
        answers,
        entries,
        fromIface: `${o.name}_from_${name}`,
      };
    });
    const handWritten = ifaces.flatMap((i) =>
      i.entries.filter((e) => e.handWritten !== null).map((e) => e.handWritten!),
    );
    return {
      name: o.name,
      struct: `${o.name}_object`,
      state: `${o.name}_state`,
      ifaces,
      handWritten,
      why: o.why ?? null,
    };
  });

  function peEntry(object: string, leaf: string, owner: InterfaceEntry, m: MethodEntry) {
    const objectStruct = `${object}_object`;
    const params = m.params.map((p) => decl(p.type, p.name)).join(', ');
    const retDecl = decl(m.returns, '');
    const entry = {
      fn: `${object}_${leaf}_${m.name}`,
      signature: `${retDecl} STDMETHODCALLTYPE ${object}_${leaf}_${m.name}(${leaf} *iface${params ? `, ${params}` : ''})`,
      objectStruct,
      fromIface: `${object}_from_${leaf}`,
      needsImpl: true,
      trace: traceOf(m.params),
      nullChecks: [] as { name: string; result: string }[],
      unknownCall: null as string | null,
      thunk: null as null | {
        call: string;
        enumName: string;
        init: string;
        returnsField: string | null;
        returnCast: string | null;
        isHresult: boolean;
      },
      fixed: null as null | { result: string | null; zero: { name: string }[] },
      handWritten: null as null | { prototype: string; call: string; returnPrefix: string },
    };
    if (owner.external) {
      entry.unknownCall = `${objectStruct}_${m.name}(impl${m.params.map((p) => `, ${p.name}`).join('')})`;
      return entry;
    }
    const policy = spec.policy.methods[`${owner.name}::${m.name}`];
    entry.nullChecks = m.params.filter((p) => p.null !== undefined).map((p) => ({ name: p.name, result: p.null! }));
    if (policy.policy === 'hand-written') {
      const hwName = `${object}_${m.name}`;
      entry.handWritten = {
        prototype: `${retDecl} ${hwName}(struct ${objectStruct} *${object}${params ? `, ${params}` : ''})`,
        call: `${hwName}(impl${m.params.map((p) => `, ${p.name}`).join('')})`,
        returnPrefix: m.returns === 'void' ? '' : 'return ',
      };
    } else if (policy.policy === 'fixed') {
      entry.needsImpl = false;
      entry.fixed = { result: policy.result ?? null, zero: (policy.zero ?? []).map((z) => ({ name: z })) };
    } else {
      const call = calls.get(policy.call!)!;
      const order = (field: string) => call.params.findIndex((f) => f.name === field);
      const bind = Object.entries(policy.bind ?? {}).sort(([a], [b]) => order(a) - order(b));
      entry.thunk = {
        call: call.name,
        enumName: `unix_${call.name}`,
        init: bind
          .map(([field, source]) => `.${field} = ${source === 'self.handle' ? 'impl->handle' : source}`)
          .join(', '),
        returnsField: policy.returns ?? null,
        returnCast: policy.returns ? retDecl : null,
        isHresult: m.returns === 'HRESULT',
      };
    }
    return entry;
  }

  function traceOf(params: ParamEntry[]) {
    const parts: string[] = ['iface %p'];
    const args: string[] = ['iface'];
    for (const p of params) {
      const t = parseType(p.type)!;
      const base = enumBase.get(t.base) ?? t.base;
      if (t.base === 'REFIID') {
        parts.push(`${p.name} %s`);
        args.push(`debugstr_guid(${p.name})`);
      } else if (t.base === 'WCHAR' && t.pointers === 1) {
        parts.push(`${p.name} %s`);
        args.push(`debugstr_w(${p.name})`);
      } else if (t.base === 'PCSTR') {
        parts.push(`${p.name} %s`);
        args.push(`debugstr_a(${p.name})`);
      } else if (isPointer(t)) {
        parts.push(`${p.name} %p`);
        args.push(p.name);
      } else if (base === 'UINT64' || base === 'INT64' || base === 'size_t') {
        parts.push(`${p.name} %s`);
        args.push(`wine_dbgstr_longlong(${p.name})`);
      } else {
        parts.push(`${p.name} %#x`);
        args.push(`(unsigned int)${p.name}`);
      }
    }
    return { format: `${parts.join(', ')}.\\n`, args: args.join(', ') };
  }

  // ----- Unix-call contract -----
  const unixTypeNames = new Set(spec.unixcalls.types.map((t) => t.name));
  const layoutOf = new Map<string, { size: number; align: number }>();
  for (const s of spec.structs.structs)
    layoutOf.set(s.name, {
      size: typeof s.size === 'number' ? s.size : versions.pick(s.size, spec.sdk.latest)!,
      align: 8,
    });
  const unixFields = (fields: { name: string; type: string; why?: string }[]) => {
    let offset = 0;
    let align = 1;
    const out = fields.map((f) => {
      const t = parseType(f.type)!;
      const lay = t.pointers
        ? { size: 8, align: 8 }
        : t.isStruct
          ? layoutOf.get(t.base)!
          : (SCALAR_LAYOUT[t.base] ?? layoutOf.get(t.base)!);
      offset = Math.ceil(offset / lay.align) * lay.align;
      const row = {
        name: f.name,
        decl: declare(t, f.name, 'c', rename),
        offset,
        why: f.why ?? (t.handleOf ? `handle to a Unix ${t.handleOf}` : null),
      };
      offset += lay.size;
      align = Math.max(align, lay.align);
      return row;
    });
    return { fields: out, size: Math.ceil(offset / align) * align, align };
  };
  const unixTypes = spec.unixcalls.types.map((t) => {
    const lay = unixFields(t.fields);
    layoutOf.set(t.name, { size: lay.size, align: lay.align });
    return { name: t.name, why: t.why ?? null, mirrors: t.mirrors ?? null, ...lay };
  });
  const unixObjects = spec.unixcalls.objects.map((o) => ({
    name: o.name,
    struct: `unix_${o.name}`,
    why: o.why ?? null,
    fields: o.fields.map((f) => ({ decl: decl(f.type, f.name) })),
  }));
  const unixCalls = spec.unixcalls.calls.map((c) => {
    const lay = unixFields(c.params);
    let runtime = null;
    if (c.runtime) {
      const args = c.runtime.args.map((a) => {
        const [field, member] = a.split('.');
        if (member === undefined) return `params->${field}`;
        const handleOf = parseType(c.params.find((f) => f.name === field)!.type)!.handleOf!;
        return `unix_${handleOf}_from_handle(params->${field})->${member}`;
      });
      const call = `${c.runtime.function}(${args.join(', ')})`;
      runtime = { statement: c.runtime.store ? `params->${c.runtime.store} = ${call};` : `${call};` };
    }
    return {
      name: c.name,
      enumName: `unix_${c.name}`,
      params: `${c.name}_params`,
      why: c.why ?? null,
      runtime,
      handWritten: runtime === null,
      ...lay,
    };
  });
  void unixTypeNames;

  // ----- translation -----
  const mapping = {
    helpers: Object.entries(spec.mapping.helpers).map(([name, expr]) => ({ name, expr })), // spec order: later helpers use earlier ones
    destinationSize: spec.mapping.destinationSize.map((d) => ({ ...d, why: d.why ?? null })),
    validation: spec.mapping.validation.map((v) => ({ ...v })),
    fields: spec.mapping.fields.map((f) => ({ ...f, why: f.why ?? null })),
    unmapped: spec.mapping.unmapped,
  };

  const mod = spec.module;
  const generatedPe = ['dstorage_gen.c'];
  const generatedUnix = ['unix_dispatch_gen.c', 'unix_translate_gen.c'];
  const sources = [...generatedPe, ...mod.handWrittenPeSources, ...generatedUnix, ...mod.handWrittenUnixSources]
    .sort()
    .concat(options.target.specInSources ? ['dstorage.spec'] : []);
  const module = {
    name: mod.module,
    unixlib: mod.unixlib,
    imports: mod.imports.join(' '),
    unixLibs: mod.unixLibs,
    unixCflags: mod.unixCflags,
    sources: sources.map((name, k) => ({ name, continuation: k < sources.length - 1 ? ' \\' : '' })),
  };

  return {
    generator: options.generator,
    kitVersion: kitVersion(),
    specVersion: spec.sdk.specVersion,
    sdk: { name: sdk, version: sdkInfo.sdkVersion, latest: sdk === spec.sdk.latest },
    target: options.target,
    constants: live(spec.constants.constants),
    enums,
    structs,
    publicInterfaces,
    exports,
    hresults,
    facility: spec.hresults.facility,
    forward: publicInterfaces.map((i) => i.name),
    objects,
    unixTypes,
    unixObjects,
    unixCalls,
    mapping,
    module,
  };
}

export type Model = ReturnType<typeof buildModel>;

function specArg(t: ParsedType, enumBase: Map<string, string | null>): string {
  if (isPointer(t)) return 'ptr';
  const base = enumBase.get(t.base) ?? t.base;
  return base === 'UINT64' || base === 'INT64' ? 'int64' : 'long';
}
