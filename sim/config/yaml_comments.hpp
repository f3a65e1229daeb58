// Comment removal before YAML parsing.
//
// yaml-cpp scans a comment character by character through its regular expressions, and the
// shipped profiles are mostly comments (the evidence of every number): 17 kB of the Redmi K70 Pro's
// 21 kB, about 1 ms of a 60 ms `socsim run` on a 2-vCPU machine. strip_yaml_comments removes the
// comments a YAML parser would discard, keeping every line break and every column before them,
// so parse errors keep their locations. It is conservative: where it cannot tell a comment from
// content (a quoted scalar that goes on to the next line, a block scalar), it leaves the rest of
// the text as it is. Readers that need the comments (provenance) read the original text.
#pragma once

#include <string>

namespace socsim {

// The text with the comments it can recognise removed (trailing spaces before them too).
std::string strip_yaml_comments(const std::string& text);

}  // namespace socsim
