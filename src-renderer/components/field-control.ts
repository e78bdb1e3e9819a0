import { computed, inject, type ComputedRef, type InjectionKey } from 'vue';

/**
 * The attributes that tie a FormField's control to its caption and messages: the id its caption
 * labels, the errors (else the hint) that describe it, and whether it is invalid.
 */
export interface ControlAttributes {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': 'true' | undefined;
}

/** What a FormField gives the control inside it (see useControlAttributes and useFieldCaptionId). */
export interface FieldControl {
  /** The caption's id, for a group of controls (chips) to be named by it. */
  captionId: string;
  attributes: ComputedRef<ControlAttributes>;
}

export const FIELD_CONTROL: InjectionKey<FieldControl> = Symbol('field-control');

/**
 * The attributes a single-control input component puts on its control inside a FormField, so that
 * the caption names it (a click on it focuses the control) and its errors are read with it;
 * nothing outside a FormField.
 */
export function useControlAttributes(): ComputedRef<Partial<ControlAttributes>> {
  const field = inject(FIELD_CONTROL, null);
  return computed(() => field?.attributes.value ?? {});
}

/** The caption's id of the FormField around a group of controls, if any. */
export function useFieldCaptionId(): string | undefined {
  return inject(FIELD_CONTROL, null)?.captionId;
}
