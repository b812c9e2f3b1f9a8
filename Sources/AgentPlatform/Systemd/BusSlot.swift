import AgentCore
import AgentRuntime
import CSystemd

/// Owner of one `sd_bus_slot*` (a match callback); unreferencing it removes the match.
package final class BusSlot {
    /// The owned slot.
    package let handle: OpaquePointer

    /// Takes over the reference sd_bus_match_signal returned.
    package init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        sd_bus_slot_unref(handle)
    }
}
