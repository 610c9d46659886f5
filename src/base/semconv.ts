/** Tag keys this package writes that are not SkyWalking's own. */

/** On an Entry span whose parent came from a legacy header (jaeger, b3, b3multi, w3c): the format. */
export const LEGACY_PARENT_TAG = 'legacy.parent.format';

/** On spans the segment timeout closed: `true`. */
export const FORCED_FINISH_TAG = 'forced.finish';
