#include "core/spark/spark_alerts.hpp"

namespace ttlink::spark {

namespace {

alerts::PostFacts post_facts(const store::PostRecord& p) {
  return {p.item_id, p.advertiser_id, p.auth_code_status, p.auth_end_time, p.tiktok_name};
}

alerts::Condition post_condition(const PostOwner& o, AlertKind kind, Severity severity,
                                 std::string message, std::string action) {
  alerts::Condition c;
  c.kind = kind;
  c.severity = severity;
  c.subject = o.link_id + "/" + o.post.item_id;
  c.link.id = o.link_id;
  c.reason = {0, std::move(message), ""};
  c.action = {std::move(action), std::nullopt};
  c.ctl = "ttlinkctl posts --expiring";
  c.post = post_facts(o.post);
  return c;
}

std::string end_text(const store::PostRecord& p) {
  return p.auth_end_time ? format_rfc3339(*p.auth_end_time) : std::string("an unknown time");
}

alerts::Condition comments_condition(const store::WaitingComments& w, AlertKind kind,
                                     std::string message, std::string action) {
  alerts::Condition c;
  c.kind = kind;
  c.severity = Severity::kWarning;
  c.subject = w.link_id + "/" + w.item_id;
  c.link.id = w.link_id;
  c.reason = {0, std::move(message), ""};
  c.action = {std::move(action), std::nullopt};
  c.ctl = "ttlinkctl comments --link " + w.link_id + " --status new";
  c.comments = alerts::CommentFacts{w.item_id, w.count, w.oldest};
  c.quiet_updates = true;
  return c;
}

}  // namespace

std::string excerpt(std::string_view text) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if ((ch & 0xC0) != 0x80 && ++chars > 80) {
      out += "...";
      break;
    }
    out += ch < 0x20 || ch == 0x7F ? ' ' : text[i];
  }
  return out;
}

std::vector<alerts::Condition> post_expiring_conditions(const std::vector<PostOwner>& posts,
                                                        TimePoint now, Seconds warn) {
  std::vector<alerts::Condition> out;
  for (const auto& o : posts) {
    const auto& p = o.post;
    if (p.auth_code_status != "IN_USE" || !p.auth_end_time) continue;
    if (*p.auth_end_time <= now || *p.auth_end_time > now + warn) continue;
    out.push_back(post_condition(
        o, AlertKind::kPostAuthExpiring, Severity::kWarning,
        "Spark Ads authorization of post " + p.item_id + " ends " + end_text(p),
        "Ask the creator to renew the post authorization code, then bind it in Ads Manager"));
  }
  return out;
}

std::vector<alerts::Condition> post_expired_conditions(const std::vector<PostOwner>& posts,
                                                       TimePoint now) {
  std::vector<alerts::Condition> out;
  for (const auto& o : posts) {
    const auto& p = o.post;
    const bool ended =
        p.auth_code_status == "EXPIRED" ||
        (p.auth_code_status == "IN_USE" && p.auth_end_time && *p.auth_end_time <= now);
    if (!ended) continue;
    out.push_back(post_condition(
        o, AlertKind::kPostAuthExpired, Severity::kCritical,
        "Spark Ads authorization of post " + p.item_id + " ended " + end_text(p) +
            ": its ads no longer deliver",
        "Get a new post authorization code from the creator and bind it in Ads Manager"));
  }
  return out;
}

std::vector<alerts::Condition> keyword_conditions(const std::vector<store::WaitingComments>& w) {
  std::vector<alerts::Condition> out;
  for (const auto& c : w)
    out.push_back(comments_condition(c, AlertKind::kCommentKeyword,
                                     std::to_string(c.count) + " comment(s) on post " + c.item_id +
                                         " hit an alert keyword or blocked word, e.g. \"" +
                                         excerpt(c.sample) + "\"",
                                     "Read them, then reply or hide"));
  return out;
}

std::vector<alerts::Condition> unanswered_conditions(const std::vector<store::WaitingComments>& w,
                                                     Seconds after) {
  std::vector<alerts::Condition> out;
  for (const auto& c : w)
    out.push_back(comments_condition(c, AlertKind::kCommentUnanswered,
                                     std::to_string(c.count) + " comment(s) on post " + c.item_id +
                                         " wait for a reply, the oldest for over " +
                                         format_duration(after) + ", e.g. \"" + excerpt(c.sample) +
                                         "\"",
                                     "Reply to them (or hide them)"));
  return out;
}

}  // namespace ttlink::spark
