package bench

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// peakRSS returns the process's resident-memory high-water mark (VmHWM)
// in bytes, or 0 where /proc is not available.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseHWM(f)
}

func parseHWM(f io.Reader) uint64 {
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}
