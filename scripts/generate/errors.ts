// SPDX-License-Identifier: MIT
// Errors the generator raises. Each names the spec entry or template at fault and says what to do.

/** A mistake in templates/spec/*.json: `entry` names the offending entry, e.g. "interfaces.json: IDStorageQueue::Submit". */
export class SpecError extends Error {
  readonly entry: string;
  constructor(entry: string, problem: string, fix?: string) {
    super(`spec error in ${entry}: ${problem}${fix ? `\n  fix: ${fix}` : ''}`);
    this.name = 'SpecError';
    this.entry = entry;
  }
}

/** A handlebars template failed to compile or render (strict mode: a missing field or unknown helper). */
export class TemplateError extends Error {
  readonly template: string;
  constructor(template: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `template error in ${template}: ${detail}\n  fix: correct the template or add the field to the model in scripts/generate/model.ts`,
    );
    this.name = 'TemplateError';
    this.template = template;
  }
}

/** Bad command-line or API options (unknown target, unknown SDK version). */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}
