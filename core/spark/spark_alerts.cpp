#include "core/spark/spark_alerts.hpp"

namespace ttlink::spark {

namespace json = boost::json;

namespace {

json::object post_details(const store::PostRecord& p) {
  return {{"post",
           {{"item_id", p.item_id},
            {"advertiser_id", p.advertiser_id},
            {"auth_code_status", p.auth_code_status},
            {"auth_end_time",
             p.auth_end_time ? json::value(format_rfc3339(*p.auth_end_time)) : json::value()},
            {"tiktok_name", p.tiktok_name}}}};
}

alerts::Condition post_condition(const PostOwner& o, std::string kind, alerts::Severity severity,
                                 std::string message, std::string action) {
  alerts::Condition c;
  c.kind = std::move(kind);
  c.severity = severity;
  c.subject = o.link_id + "/" + o.post.item_id;
  c.link_id = o.link_id;
  c.reason = {0, std::move(message)};
  c.action_text = std::move(action);
  c.ctl = "ttlinkctl posts --expiring";
  c.details = post_details(o.post);
  return c;
}

std::string end_text(const store::PostRecord& p) {
  return p.auth_end_time ? format_rfc3339(*p.auth_end_time) : std::string("an unknown time");
}

alerts::Condition comments_condition(const store::WaitingComments& w, std::string kind,
                                     std::string message, std::string action) {
  alerts::Condition c;
  c.kind = std::move(kind);
  c.severity = alerts::Severity::kWarning;
  c.subject = w.link_id + "/" + w.item_id;
  c.link_id = w.link_id;
  c.reason = {0, std::move(message)};
  c.action_text = std::move(action);
  c.ctl = "ttlinkctl comments --link " + w.link_id + " --status new";
  c.details = json::object{
      {"comments",
       {{"item_id", w.item_id}, {"count", w.count}, {"oldest", format_rfc3339(w.oldest)}}}};
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
        o, "post_auth_expiring", alerts::Severity::kWarning,
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
        o, "post_auth_expired", alerts::Severity::kCritical,
        "Spark Ads authorization of post " + p.item_id + " ended " + end_text(p) +
            ": its ads no longer deliver",
        "Get a new post authorization code from the creator and bind it in Ads Manager"));
  }
  return out;
}

std::vector<alerts::Condition> keyword_conditions(const std::vector<store::WaitingComments>& w) {
  std::vector<alerts::Condition> out;
  for (const auto& c : w)
    out.push_back(comments_condition(c, "comment_keyword",
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
    out.push_back(comments_condition(c, "comment_unanswered",
                                     std::to_string(c.count) + " comment(s) on post " + c.item_id +
                                         " wait for a reply, the oldest for over " +
                                         format_duration(after) + ", e.g. \"" + excerpt(c.sample) +
                                         "\"",
                                     "Reply to them (or hide them)"));
  return out;
}

}  // namespace ttlink::spark
