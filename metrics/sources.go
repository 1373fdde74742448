package metrics

import "sync"

// sourceCap bounds the distinct values of the source label: the first limit
// sources seen keep their name, later ones become OtherSource.
type sourceCap struct {
	limit int

	mu   sync.Mutex
	seen map[string]struct{}
}

func newSourceCap(limit int) *sourceCap {
	return &sourceCap{limit: limit, seen: make(map[string]struct{}, limit)}
}

// label returns the label value for source.
func (s *sourceCap) label(source string) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.seen[source]; ok {
		return source
	}
	if len(s.seen) >= s.limit {
		return OtherSource
	}
	s.seen[source] = struct{}{}
	return source
}
