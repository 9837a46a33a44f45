#pragma once
// utf8: every JSON answer of the sandbox is valid UTF-8, whatever bytes a
// client sent. Request text (a percent-decoded path or query value, a raw
// byte in a target) can hold any byte, and the sandbox echoes it: "no such
// path: ...", "No permission to operate advertiser ...", the request log. A
// strict JSON client rejects a whole answer for one stray byte, so a test
// would see a broken sandbox instead of the answer it asked for.
#include <string>

namespace sandbox {

// `json_text` (serialized JSON) with every byte that is not part of a
// well-formed UTF-8 sequence written as \\xNN, which a JSON parser reads as
// the four characters \xNN: the answer still shows which byte was sent. Only
// strings can hold such bytes (JSON's structure is ASCII), so the text stays
// the same JSON. Valid text is returned as it is.
std::string with_valid_utf8(std::string json_text);

}  // namespace sandbox
