/**
 * The TypeBox builders the schemas use, imported one by one. TypeBox's own `Type` object holds
 * every builder, so a bundle importing it carries all of TypeBox (about 46 kB minified); these
 * are the same functions (the same schemas, the same static types) for about 8 kB. A schema that
 * needs another builder adds it here.
 */
import {
  Array as ArrayOf,
  Boolean as BooleanType,
  Integer,
  Literal,
  Null,
  Number as NumberType,
  Object as ObjectType,
  Optional,
  Record,
  String as StringType,
  Union,
  Unknown,
  Unsafe,
} from '@sinclair/typebox';

export const Type = {
  Array: ArrayOf,
  Boolean: BooleanType,
  Integer,
  Literal,
  Null,
  Number: NumberType,
  Object: ObjectType,
  Optional,
  Record,
  String: StringType,
  Union,
  Unknown,
  Unsafe,
} as const;
