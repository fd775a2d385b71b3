// SPDX-License-Identifier: MIT
// The shape of the JSON files under templates/spec/, as read from disk.

export interface Versioned { since?: string; until?: string; why?: string }
export interface SdkFile { specVersion: string; latest: string; versions: { name: string; sdkVersion: number; why?: string }[] }
/** pointer: the typedef names a pointer (REFIID is const IID *), so a parameter of it may carry a "null" result. */
export interface TypeEntry { name: string; c?: string; cxx?: string; from?: string; unixOnly?: boolean; pointer?: boolean; why?: string }
export interface TypesFile { builtin: TypeEntry[]; external: TypeEntry[] }
export interface ConstantEntry extends Versioned { name: string; value: string }
/** flags: C++ gets DEFINE_ENUM_FLAG_OPERATORS (A | B keeps the enum type), as Microsoft's header declares. */
export interface EnumEntry extends Versioned { name: string; base?: string; flags?: boolean; values: (string[])[] }
export interface FieldEntry extends Versioned {
  name?: string; type?: string; bits?: number; array?: number | string;
  sdk?: Record<string, { array?: number | string }>;
  union?: FieldEntry[];
}
export interface StructEntry extends Versioned { name: string; kind?: 'struct' | 'union'; size: number | Record<string, number>; fields: FieldEntry[] }
export interface ParamEntry { name: string; type: string; null?: string; why?: string }
export interface MethodEntry { slot: number; name: string; returns: string; params: ParamEntry[]; why?: string }
export interface InterfaceEntry extends Versioned { name: string; parent?: string; iid: string; external?: boolean; methods: MethodEntry[] }
export interface ExportEntry extends Versioned { name: string; returns: string; params: ParamEntry[] }
export interface ObjectEntry { name: string; interfaces: string[]; why?: string }
export interface PolicyEntry {
  policy: 'thunk' | 'hand-written' | 'fixed'; why: string;
  call?: string; bind?: Record<string, string>; returns?: string;
  result?: string; zero?: string[];
}
export interface PolicyFile { methods: Record<string, PolicyEntry>; exports: Record<string, PolicyEntry> }
export interface UnixField { name: string; type: string; why?: string }
export interface UnixObject { name: string; fields: UnixField[]; why?: string }
export interface UnixType { name: string; fields: UnixField[]; mirrors?: string; why?: string }
export interface UnixCall { name: string; params: UnixField[]; why?: string; runtime?: { function: string; args: string[]; store?: string } }
export interface UnixCallsFile { objects: UnixObject[]; types: UnixType[]; calls: UnixCall[] }
export interface MappingFile {
  helpers: Record<string, string>;
  destinationSize: { type: string; expr: string; why?: string }[];
  validation: { id: string; when: string; hresult: string; why: string }[];
  fields: { to: string; from: string; expr: string; why?: string }[];
  unmapped: { from: string; why: string }[];
}
export interface ModuleFile {
  module: string; unixlib: string; imports: string[]; unixLibs: string; unixCflags: string;
  handWrittenPeSources: string[]; handWrittenUnixSources: string[];
}

/** Every spec file, loaded. The keys are the file names without .json. */
export interface RawSpec {
  sdk: SdkFile; types: TypesFile; constants: { constants: ConstantEntry[] }; enums: { enums: EnumEntry[] };
  hresults: { facility: string; hresults: { name: string; code: string; why?: string }[] };
  structs: { structs: StructEntry[] }; interfaces: { interfaces: InterfaceEntry[] }; exports: { exports: ExportEntry[] };
  objects: { objects: ObjectEntry[] }; policy: PolicyFile; unixcalls: UnixCallsFile; mapping: MappingFile; module: ModuleFile;
}

export const SPEC_FILES = ['sdk', 'types', 'constants', 'enums', 'hresults', 'structs', 'interfaces', 'exports',
  'objects', 'policy', 'unixcalls', 'mapping', 'module'] as const;
