#pragma once
// The version every binary reports.
namespace ttlink {
inline constexpr const char* kVersion = "0.1.0";
}
