package fakeslack

import (
	"encoding/json"
	"regexp"
	"unicode/utf8"
)

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type block struct {
	Type     string            `json:"type"`
	BlockID  string            `json:"block_id"`
	Text     *textObject       `json:"text"`
	Fields   []textObject      `json:"fields"`
	Elements []json.RawMessage `json:"elements"`
}

// checkBlocks applies the Block Kit limits Slack enforces on the blocks
// it knows; unknown block types pass. It returns "" or an error code.
func checkBlocks(raw string, totalCap int) string {
	var blocks []block
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return "invalid_blocks_format"
	}
	if len(blocks) > maxBlocks {
		return "invalid_blocks"
	}

	for _, b := range blocks {
		if !validBlock(b) {
			return "invalid_blocks"
		}
	}

	if totalCap > 0 && textLength(json.RawMessage(raw)) > totalCap {
		return "msg_blocks_too_long"
	}
	return ""
}

func validBlock(b block) bool {
	if b.Type == "" || utf8.RuneCountInString(b.BlockID) > maxBlockID {
		return false
	}

	switch b.Type {
	case "section":
		if (b.Text == nil && len(b.Fields) == 0) || len(b.Fields) > maxFields {
			return false
		}
		if b.Text != nil && !validText(*b.Text, maxSection) {
			return false
		}
		for _, f := range b.Fields {
			if !validText(f, maxField) {
				return false
			}
		}
	case "header":
		return b.Text != nil && b.Text.Type == "plain_text" && validText(*b.Text, maxHeader)
	case "context":
		return len(b.Elements) > 0 && len(b.Elements) <= maxCtxElems
	}
	return true
}

func validText(t textObject, limit int) bool {
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		return false
	}
	n := utf8.RuneCountInString(t.Text)
	return n > 0 && n <= limit
}

// textLength sums the characters of every "text" string in a JSON value.
func textLength(raw json.RawMessage) int {
	n := 0
	for _, t := range texts(raw) {
		n += utf8.RuneCountInString(t)
	}
	return n
}

// texts returns every string held under a "text" key, at any depth.
func texts(raw json.RawMessage) []string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}

	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// BlockTexts returns every text string in the message's blocks.
func (m Message) BlockTexts() []string { return texts(m.Blocks) }

// controlRE matches what Slack turns into a mention or a link in message
// text: anything between an unescaped "<" and ">".
var controlRE = regexp.MustCompile(`<[^<>]*>`)

// ControlSequences returns the mention and link sequences Slack would act
// on in the message's text and block texts: <!channel>, <!here>, <@U…>,
// <#C…>, <url|label>. A sender that escapes alert text leaves none but its
// own.
func (m Message) ControlSequences() []string {
	var out []string
	for _, t := range append([]string{m.Text}, m.BlockTexts()...) {
		out = append(out, controlRE.FindAllString(t, -1)...)
	}
	return out
}
