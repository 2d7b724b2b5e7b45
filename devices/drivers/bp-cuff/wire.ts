/**
 * Device-specific meanings of the BP cuff's status frame (type 03), shared by
 * the driver and the simulator.
 *
 * NOTE: DESIGN §3 leaves `state` and `code` device-specific. Ours: state 0
 * idle (cuff deflated), 1 inflating, 2 measuring while deflating; code 0 is
 * "no problem", anything else is a device fault the cuff also reports as an
 * `7F` error frame.
 */
export const BpState = { idle: 0, inflating: 1, deflating: 2 } as const;
