// Package dedup decides, for each (route, alert key), whether an event is
// notified or suppressed. The router asks a Store for a Decision on every
// event a route matched; the Store keeps one small State per key.
//
// Decide is the pure state machine; Memory runs it for one process with
// sharded locks, and a shared store (a JetStream key-value bucket) can run
// the same function on the same serialisable State.
//
// # Semantics
//
// A key's state is live at time t while t - LastSeen <= Window, or, once a
// firing was notified, while t - LastSeen <= max(Window, StateTTL). A state
// that is not live is forgotten, exactly as if it had never existed.
//
// A firing event:
//   - with no live state: notify, ReasonNew.
//   - after a quiet gap longer than Window (t - LastSeen > Window) on a
//     live, notified state: a new occurrence of the alert. Notify,
//     ReasonNew, carrying the duplicates still pending.
//   - inside the window, with a severity higher than the highest notified
//     since the last ReasonNew: notify at once, ReasonEscalated. A lower or
//     equal severity never breaks through.
//   - inside the window, Repeat or more after the last notification:
//     notify, ReasonRepeat.
//   - otherwise: suppress with SuppressDuplicate and count it.
//
// Every firing, notified or not, moves LastSeen forward, so an alert that
// keeps firing stays inside its window and is reminded of only by repeats.
//
// A resolved event notifies, ReasonResolved, only when the key has a live
// state whose firing was notified (even if the window has passed, as long
// as StateTTL has not); the key is then forgotten. Otherwise it is
// suppressed with SuppressNotNotified. Because the key is forgotten, a
// second resolved is suppressed the same way: resolved goes out once.
//
// Every notification carries in Decision.Suppressed the duplicates held
// back since the previous notification of the key, and the count restarts
// at zero. A suppressed decision reports the running count, this event
// included.
//
// # Zero durations
//
// Window 0 means no suppression: every firing is a new alert (ReasonNew).
// Repeat 0 means no reminders: a firing inside the window is suppressed
// unless its severity rose. StateTTL 0 keeps a state only for Window, so
// a resolved arriving after a quiet gap longer than Window is suppressed;
// routes should set StateTTL to how long an alert may stay open.
//
// Any status other than alert.StatusResolved is treated as firing. An
// event older than the state (out of order) never moves times backwards
// and counts as inside the window.
package dedup
