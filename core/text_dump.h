// Free text (`vigie-index add --format text`): tickets, e-mails, chat logs, pastes — identifiers anywhere on
// a line, among other words. Every token that is
//   - NIR-shaped (13 digits, 2A/2B allowed at positions 6-7, then the 2-digit key; single spaces, dots or
//     hyphens between groups, as people write "1 85 05 78 006 048 22") and whose key is right,
//   - an e-mail address (the text around an '@' that NormalizeEmail accepts),
//   - a French phone number (0X XX XX XX XX, +33 / 0033 forms, separators as for NIRs) that NormalizePhone
//     accepts,
// becomes one record of the unit-separated form (core/record_writer.h) under the header "nir", "email",
// "phone", in its own column, so that `--kind nir` (or email, phone) picks the column by name. Tokens are
// only taken whole: digits or letters glued to either end disqualify them, so a longer number (an IBAN, an
// order number) never yields a NIR from its middle. A NIR-shaped token with a wrong key is not an identifier
// and is skipped, not counted: free text is full of long numbers.
//
// Thread-safety: pure function over its arguments.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/byte_stream.h"
#include "core/record_writer.h"
#include "core/status.h"

namespace vigie {

struct TextScanReport {
  uint64_t lines = 0;
  uint64_t nirs = 0, emails = 0, phones = 0;
};

Status TranscodeText(ByteSource* in, RecordWriter* out, TextScanReport* report = nullptr);

// The identifiers of one line, appended to out as records (exposed for tests and the fuzz target).
void ScanTextLine(std::string_view line, RecordWriter* out, TextScanReport* report);

}  // namespace vigie
