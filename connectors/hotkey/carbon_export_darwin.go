//go:build darwin && cgo

package hotkey

// #include <stdint.h>
import "C"

// hkCarbonEvent is called by the Carbon event handler (carbon_darwin.go)
// on the main thread; it only hands the event on.
//
//export hkCarbonEvent
func hkCarbonEvent(id C.uint32_t, down C.int) {
	carbonEvent(uint32(id), down != 0)
}
