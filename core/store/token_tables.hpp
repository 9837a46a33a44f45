#pragma once
// The tokens: AES-256-GCM sealed, each with its row's owner
// ("advertiser:ID:access", "account:OPENID:access|refresh") as associated
// data, since tokens belong to advertisers and accounts that several links
// may share. Every write is durable (synchronous=FULL) when it returns: a
// caller may use a token only after put_*() returned success.
#include <optional>
#include <string_view>

#include "core/store/cipher.hpp"
#include "core/store/connection.hpp"
#include "core/store/records.hpp"

namespace ttlink::store {

class TokenTables {
 public:
  TokenTables(Connection& db, Cipher& cipher) : db_(db), cipher_(cipher) {}

  Result<void> put_advertiser(std::string_view advertiser_id, const Secret& token);
  Result<std::optional<Secret>> advertiser(std::string_view advertiser_id);
  Result<void> wipe_advertiser(std::string_view advertiser_id);
  // Both tokens in one transaction: a rotated refresh token is never stored
  // without the access token it came with.
  Result<void> put_account(std::string_view open_id, const AccountTokens& t);
  // The same, committed with synchronous=NORMAL: in the WAL, safe from a
  // crash of the daemon, durable against a power cut only once WalSync::sync
  // has returned (the caller waits for it before using them).
  Result<void> put_account_unsynced(std::string_view open_id, const AccountTokens& t);
  Result<std::optional<AccountTokens>> account(std::string_view open_id);
  Result<void> wipe_account(std::string_view open_id);
  // When the account's refresh token ends (in clear: nothing is decrypted).
  Result<std::optional<TimePoint>> account_refresh_expiry(std::string_view open_id);

 private:
  struct Opened {
    Secret value;
    std::optional<TimePoint> expires_at;
    std::string scope;
  };
  Result<void> put(const std::string& owner, const Secret& value,
                   std::optional<TimePoint> expires_at, std::string_view scope);
  Result<void> put_both(std::string_view open_id, const AccountTokens& t);
  Result<std::optional<Opened>> get(const std::string& owner);
  Result<Opened> open_row(const sqlite::Statement& s, const std::string& owner, int first);
  Result<void> remove(const std::string& owner);

  Connection& db_;
  Cipher& cipher_;
};

}  // namespace ttlink::store
