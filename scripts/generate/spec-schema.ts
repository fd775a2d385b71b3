// SPDX-License-Identifier: MIT
// The shape of the JSON files under templates/spec/, as read from disk: the TypeScript types, and
// the schema (SPEC_SHAPES) that loadSpec checks every file against, strictly (no unknown keys).
import { arr, bool, int, literal, obj, oneOf, opt, record, type Shape, str } from './spec-shape.ts';

export interface Versioned {
  since?: string;
  until?: string;
  why?: string;
}
export interface SdkFile {
  specVersion: string;
  latest: string;
  versions: { name: string; sdkVersion: number; why?: string }[];
}
/** pointer: the typedef names a pointer (REFIID is const IID *), so a parameter of it may carry a "null" result. */
export interface TypeEntry {
  name: string;
  c?: string;
  cxx?: string;
  from?: string;
  unixOnly?: boolean;
  pointer?: boolean;
  why?: string;
}
export interface TypesFile {
  builtin: TypeEntry[];
  external: TypeEntry[];
}
export interface ConstantEntry extends Versioned {
  name: string;
  value: string;
}
/** flags: C++ gets DEFINE_ENUM_FLAG_OPERATORS (A | B keeps the enum type), as Microsoft's header declares. */
export interface EnumEntry extends Versioned {
  name: string;
  base?: string;
  flags?: boolean;
  values: string[][];
}
export interface FieldEntry extends Versioned {
  name?: string;
  type?: string;
  bits?: number;
  array?: number | string;
  sdk?: Record<string, { array?: number | string }>;
  union?: FieldEntry[];
}
export interface StructEntry extends Versioned {
  name: string;
  kind?: 'struct' | 'union';
  size: number | Record<string, number>;
  fields: FieldEntry[];
}
export interface ParamEntry {
  name: string;
  type: string;
  null?: string;
  why?: string;
}
export interface MethodEntry {
  slot: number;
  name: string;
  returns: string;
  params: ParamEntry[];
  why?: string;
}
export interface InterfaceEntry extends Versioned {
  name: string;
  parent?: string;
  iid: string;
  external?: boolean;
  methods: MethodEntry[];
}
export interface ExportEntry extends Versioned {
  name: string;
  returns: string;
  params: ParamEntry[];
}
export interface ObjectEntry {
  name: string;
  interfaces: string[];
  why?: string;
}
export interface PolicyEntry {
  policy: 'thunk' | 'hand-written' | 'fixed';
  why: string;
  call?: string;
  bind?: Record<string, string>;
  returns?: string;
  result?: string;
  zero?: string[];
}
export interface PolicyFile {
  methods: Record<string, PolicyEntry>;
  exports: Record<string, PolicyEntry>;
}
export interface UnixField {
  name: string;
  type: string;
  why?: string;
}
export interface UnixObject {
  name: string;
  fields: UnixField[];
  why?: string;
}
export interface UnixType {
  name: string;
  fields: UnixField[];
  mirrors?: string;
  why?: string;
}
export interface UnixCall {
  name: string;
  params: UnixField[];
  why?: string;
  runtime?: { function: string; args: string[]; store?: string };
}
export interface UnixCallsFile {
  objects: UnixObject[];
  types: UnixType[];
  calls: UnixCall[];
}
export interface MappingFile {
  helpers: Record<string, string>;
  destinationSize: { type: string; expr: string; why?: string }[];
  validation: { id: string; when: string; hresult: string; why: string }[];
  fields: { to: string; from: string; expr: string; why?: string }[];
  unmapped: { from: string; why: string }[];
}
export interface ModuleFile {
  module: string;
  unixlib: string;
  imports: string[];
  unixLibs: string;
  unixCflags: string;
  handWrittenPeSources: string[];
  handWrittenUnixSources: string[];
}

/** Every spec file, loaded. The keys are the file names without .json. */
export interface RawSpec {
  sdk: SdkFile;
  types: TypesFile;
  constants: { constants: ConstantEntry[] };
  enums: { enums: EnumEntry[] };
  hresults: { facility: string; hresults: { name: string; code: string; why?: string }[] };
  structs: { structs: StructEntry[] };
  interfaces: { interfaces: InterfaceEntry[] };
  exports: { exports: ExportEntry[] };
  objects: { objects: ObjectEntry[] };
  policy: PolicyFile;
  unixcalls: UnixCallsFile;
  mapping: MappingFile;
  module: ModuleFile;
}

export const SPEC_FILES = [
  'sdk',
  'types',
  'constants',
  'enums',
  'hresults',
  'structs',
  'interfaces',
  'exports',
  'objects',
  'policy',
  'unixcalls',
  'mapping',
  'module',
] as const;

// The schema of every file, checked strictly by spec-shape.ts before spec-validate.ts checks meaning.
// obj<T> ties each object to the interface above: adding a key to one and not the other fails typecheck.
const versioned = { since: opt(str), until: opt(str), why: opt(str) };
const sdkFile = obj<SdkFile>({
  specVersion: str,
  latest: str,
  versions: arr(obj<SdkFile['versions'][number]>({ name: str, sdkVersion: int, why: opt(str) }), 1),
});
const typeEntry = obj<TypeEntry>({
  name: str,
  c: opt(str),
  cxx: opt(str),
  from: opt(str),
  unixOnly: opt(bool),
  pointer: opt(bool),
  why: opt(str),
});
const constantEntry = obj<ConstantEntry>({ name: str, value: str, ...versioned });
const enumEntry = obj<EnumEntry>({
  name: str,
  base: opt(str),
  flags: opt(bool),
  values: arr(arr(str, 2)),
  ...versioned,
});
const fieldEntry = obj<FieldEntry>({
  name: opt(str),
  type: opt(str),
  bits: opt(int),
  array: opt(oneOf(int, str)),
  sdk: opt(record(obj<NonNullable<FieldEntry['sdk']>[string]>({ array: opt(oneOf(int, str)) }))),
  union: opt(arr(str)), // replaced just below: the members of an anonymous union are fields themselves
  ...versioned,
});
(fieldEntry as { fields: Record<string, Shape> }).fields.union = opt(arr(fieldEntry));
const structEntry = obj<StructEntry>({
  name: str,
  kind: opt(literal('struct', 'union')),
  size: oneOf(int, record(int)),
  fields: arr(fieldEntry),
  ...versioned,
});
const paramEntry = obj<ParamEntry>({ name: str, type: str, null: opt(str), why: opt(str) });
const methodEntry = obj<MethodEntry>({ slot: int, name: str, returns: str, params: arr(paramEntry), why: opt(str) });
const interfaceEntry = obj<InterfaceEntry>({
  name: str,
  parent: opt(str),
  iid: str,
  external: opt(bool),
  methods: arr(methodEntry),
  ...versioned,
});
const exportEntry = obj<ExportEntry>({ name: str, returns: str, params: arr(paramEntry), ...versioned });
const objectEntry = obj<ObjectEntry>({ name: str, interfaces: arr(str), why: opt(str) });
const policyEntry = obj<PolicyEntry>({
  policy: literal('thunk', 'hand-written', 'fixed'),
  why: str,
  call: opt(str),
  bind: opt(record(str)),
  returns: opt(str),
  result: opt(str),
  zero: opt(arr(str)),
});
const unixField = obj<UnixField>({ name: str, type: str, why: opt(str) });
const unixCallsFile = obj<UnixCallsFile>({
  objects: arr(obj<UnixObject>({ name: str, fields: arr(unixField), why: opt(str) })),
  types: arr(obj<UnixType>({ name: str, fields: arr(unixField), mirrors: opt(str), why: opt(str) })),
  calls: arr(
    obj<UnixCall>({
      name: str,
      params: arr(unixField),
      why: opt(str),
      runtime: opt(obj<NonNullable<UnixCall['runtime']>>({ function: str, args: arr(str), store: opt(str) })),
    }),
  ),
});
const mappingFile = obj<MappingFile>({
  helpers: record(str),
  destinationSize: arr(obj<MappingFile['destinationSize'][number]>({ type: str, expr: str, why: opt(str) })),
  validation: arr(obj<MappingFile['validation'][number]>({ id: str, when: str, hresult: str, why: str })),
  fields: arr(obj<MappingFile['fields'][number]>({ to: str, from: str, expr: str, why: opt(str) })),
  unmapped: arr(obj<MappingFile['unmapped'][number]>({ from: str, why: str })),
});
const moduleFile = obj<ModuleFile>({
  module: str,
  unixlib: str,
  imports: arr(str),
  unixLibs: str,
  unixCflags: str,
  handWrittenPeSources: arr(str),
  handWrittenUnixSources: arr(str),
});

export const SPEC_SHAPES: { [K in keyof RawSpec]: Shape } = {
  sdk: sdkFile,
  types: obj<TypesFile>({ builtin: arr(typeEntry), external: arr(typeEntry) }),
  constants: obj<RawSpec['constants']>({ constants: arr(constantEntry) }),
  enums: obj<RawSpec['enums']>({ enums: arr(enumEntry) }),
  hresults: obj<RawSpec['hresults']>({
    facility: str,
    hresults: arr(obj<RawSpec['hresults']['hresults'][number]>({ name: str, code: str, why: opt(str) })),
  }),
  structs: obj<RawSpec['structs']>({ structs: arr(structEntry) }),
  interfaces: obj<RawSpec['interfaces']>({ interfaces: arr(interfaceEntry) }),
  exports: obj<RawSpec['exports']>({ exports: arr(exportEntry) }),
  objects: obj<RawSpec['objects']>({ objects: arr(objectEntry) }),
  policy: obj<PolicyFile>({ methods: record(policyEntry), exports: record(policyEntry) }),
  unixcalls: unixCallsFile,
  mapping: mappingFile,
  module: moduleFile,
};
