#include "http_client/http_client.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace cohort::http_client {
namespace {

// The most a status line and its fields may take.
constexpr std::size_t kHeaderLimit = 1u << 20;
// Consumed bytes are dropped from the front of the buffer once they are this many.
constexpr std::size_t kCompactAt = 1u << 20;

char LowerChar(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerChar(c);
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return LowerChar(x) == LowerChar(y);
         });
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value lists `token` ("close", "chunked"), in any case.
bool HasToken(std::string_view list, std::string_view token) {
  for (;;) {
    const std::size_t comma = list.find(',');
    if (EqualsIgnoringCase(TrimSpace(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

double MsBetween(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Adds the "Name: value" lines of `block` (CRLF-separated, no blank line) to `headers`.
bool ParseFields(std::string_view block, std::map<std::string, std::string>& headers) {
  while (!block.empty()) {
    const std::size_t end = block.find("\r\n");
    const std::string_view line = block.substr(0, end);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string value(TrimSpace(line.substr(colon + 1)));
    auto [it, inserted] = headers.emplace(Lower(line.substr(0, colon)), value);
    if (!inserted) it->second += ", " + value;
    if (end == std::string_view::npos) break;
    block.remove_prefix(end + 2);
  }
  return true;
}

// "HTTP/1.1 200 OK": the status, and whether the version is 1.1; nullopt when malformed.
std::optional<std::pair<int, bool>> ParseStatusLine(std::string_view line) {
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ' ||
      (line[7] != '0' && line[7] != '1') || (line.size() > 12 && line[12] != ' ')) {
    return std::nullopt;
  }
  int status = 0;
  const auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || end != line.data() + 12 || status < 100) return std::nullopt;
  return std::pair(status, line[7] == '1');
}

std::string Serialize(std::string_view method, std::string_view target, const std::string& host,
                      std::uint16_t port, std::string_view body, const HeaderList& headers) {
  HeaderList fields = {{"Host", host + ":" + std::to_string(port)},
                       {"User-Agent", "cohort-http-client"}};
  if (!body.empty() || method == "POST" || method == "PUT" || method == "OPTIONS") {
    fields.emplace_back("Content-Length", std::to_string(body.size()));
  }
  for (const auto& header : headers) {
    std::erase_if(fields, [&header](const auto& field) {
      return EqualsIgnoringCase(field.first, header.first);
    });
    fields.push_back(header);
  }
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  for (const auto& [name, value] : fields)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() = default;

void HttpClient::Close() {
  socket_.Close();
  buffer_.clear();
  pos_ = 0;
}

HttpResponse HttpClient::Send(std::string_view method, std::string_view target,
                              std::string_view body, const HeaderList& headers) {
  const std::string request = Serialize(method, target, host_, port_, body, headers);
  for (int attempt = 0;; ++attempt) {
    HttpResponse out;
    const bool reused = socket_.is_open();
    if (!reused) {
      Close();
      const std::string error = socket_.Connect(host_, port_, SteadyClock::now() + timeout_);
      if (!error.empty()) {
        out.error = "connect: " + error;
        return out;
      }
      ++opened_;
    }
    const SteadyClock::time_point start = SteadyClock::now();
    const IoStatus written = socket_.Write(request, start + timeout_);
    if (written == IoStatus::kTimeout) {
      Close();
      out.error = "write: timeout";
      return out;
    }
    // A write error is not final: the server may have answered early (413) and closed.
    const std::string write_error = written == IoStatus::kOk ? "" : socket_.Describe(written);
    bool keep_alive = false;
    const ReadResult read =
        Read(method == "HEAD", SteadyClock::now() + timeout_, start, out, keep_alive);
    if (read.ok) {
      if (!keep_alive) Close();
      return out;
    }
    Close();
    if (reused && attempt == 0 && read.retry) continue;  // a stale keep-alive connection
    out = HttpResponse();
    if (!write_error.empty()) out.error = "write: " + write_error + "; ";
    out.error += "read: " + read.error;
    return out;
  }
}

HttpClient::ReadResult HttpClient::Failure(IoStatus status, bool any) const {
  ReadResult r;
  r.ok = false;
  if (status == IoStatus::kEndOfStream) {
    r.error = any ? "partial message" : "end of stream";
    r.retry = !any;
  } else {
    r.error = socket_.Describe(status);
    r.retry = status == IoStatus::kClosedByPeer;
  }
  return r;
}

IoStatus HttpClient::Fill(std::size_t n, Deadline deadline) {
  while (buffer_.size() - pos_ < n) {
    const IoStatus s = socket_.Read(buffer_, Socket::kMaxRead, deadline);
    if (s != IoStatus::kOk) return s;
  }
  return IoStatus::kOk;
}

IoStatus HttpClient::FillUntil(std::string_view delimiter, std::size_t limit, Deadline deadline,
                               std::size_t& found) {
  std::size_t from = pos_;
  for (;;) {
    const std::size_t at = buffer_.find(delimiter, from);
    if (at != std::string::npos) {
      found = at - pos_;
      return IoStatus::kOk;
    }
    if (buffer_.size() - pos_ > limit) {
      found = std::string::npos;
      return IoStatus::kOk;
    }
    from = std::max(pos_, buffer_.size() - std::min(buffer_.size(), delimiter.size() - 1));
    const IoStatus s = socket_.Read(buffer_, Socket::kMaxRead, deadline);
    if (s != IoStatus::kOk) return s;
  }
}

HttpClient::ReadResult HttpClient::Read(bool head, Deadline deadline, SteadyClock::time_point start,
                                        HttpResponse& out, bool& keep_alive) {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  if (const IoStatus s = Fill(1, deadline); s != IoStatus::kOk) return Failure(s, false);
  out.first_byte_ms = MsBetween(start, SteadyClock::now());
  for (;;) {  // interim 1xx answers are skipped
    out.headers.clear();
    std::size_t length = 0;
    if (const IoStatus s = FillUntil("\r\n\r\n", kHeaderLimit, deadline, length);
        s != IoStatus::kOk) {
      return Failure(s, true);
    }
    if (length == std::string::npos) return {false, false, "header limit exceeded"};
    const std::string_view block(buffer_.data() + pos_, length);
    const std::size_t line_end = block.find("\r\n");
    const auto status_line = ParseStatusLine(block.substr(0, line_end));
    if (!status_line) return {false, false, "bad status line"};
    const auto [status, http11] = *status_line;
    if (line_end != std::string_view::npos &&
        !ParseFields(block.substr(line_end + 2), out.headers)) {
      return {false, false, "bad field"};
    }
    pos_ += length + 4;
    if (status < 200 && status != 101) continue;
    out.status = status;
    const std::string connection = out.Header("connection");
    keep_alive = http11 ? !HasToken(connection, "close") : HasToken(connection, "keep-alive");

    if (head || status < 200 || status == 204 || status == 304) {
      // no body
    } else if (HasToken(out.Header("transfer-encoding"), "chunked")) {
      if (ReadResult r = ReadChunked(deadline, out); !r.ok) return r;
    } else if (const auto it = out.headers.find("content-length"); it != out.headers.end()) {
      std::size_t size = 0;
      const std::string& text = it->second;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return {false, false, "bad content length"};
      }
      const std::size_t buffered = std::min(size, buffer_.size() - pos_);
      out.body.assign(buffer_, pos_, buffered);
      pos_ += buffered;
      // The rest straight into the body: no second copy of a large answer.
      while (out.body.size() < size) {
        const IoStatus s = socket_.Read(out.body, size - out.body.size(), deadline);
        if (s != IoStatus::kOk) return Failure(s, true);
      }
    } else {
      // Neither length nor chunks: the body ends when the server closes the connection.
      out.body.assign(buffer_, pos_);
      pos_ = buffer_.size();
      for (;;) {
        const IoStatus s = socket_.Read(out.body, Socket::kMaxRead, deadline);
        if (s == IoStatus::kEndOfStream) break;
        if (s != IoStatus::kOk) return Failure(s, true);
      }
      keep_alive = false;
    }
    out.total_ms = MsBetween(start, SteadyClock::now());
    return {};
  }
}

HttpClient::ReadResult HttpClient::ReadChunked(Deadline deadline, HttpResponse& out) {
  for (;;) {
    if (pos_ >= kCompactAt) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    std::size_t line = 0;
    if (const IoStatus s = FillUntil("\r\n", kHeaderLimit, deadline, line); s != IoStatus::kOk) {
      return Failure(s, true);
    }
    if (line == std::string::npos) return {false, false, "bad chunk"};
    // "1a2b;name=value": the size in hex, then extensions, which are ignored.
    std::string_view size_text(buffer_.data() + pos_, line);
    size_text = TrimSpace(size_text.substr(0, size_text.find(';')));
    std::uint64_t size = 0;
    const auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size() ||
        size > (std::uint64_t{1} << 62)) {
      return {false, false, "bad chunk"};
    }
    pos_ += line + 2;
    if (size == 0) {
      // Trailer fields up to a blank line (at once when there are none): kept with the headers.
      std::size_t first = 0;
      if (const IoStatus s = FillUntil("\r\n", kHeaderLimit, deadline, first); s != IoStatus::kOk) {
        return Failure(s, true);
      }
      if (first == std::string::npos) return {false, false, "bad field"};
      if (first == 0) {
        pos_ += 2;
        return {};
      }
      std::size_t block = 0;
      if (const IoStatus s = FillUntil("\r\n\r\n", kHeaderLimit, deadline, block);
          s != IoStatus::kOk) {
        return Failure(s, true);
      }
      if (block == std::string::npos ||
          !ParseFields(std::string_view(buffer_.data() + pos_, block), out.headers)) {
        return {false, false, "bad field"};
      }
      pos_ += block + 4;
      return {};
    }
    const auto chunk = static_cast<std::size_t>(size);
    const std::size_t buffered = std::min(chunk, buffer_.size() - pos_);
    out.body.append(buffer_, pos_, buffered);
    pos_ += buffered;
    for (std::size_t left = chunk - buffered; left > 0;) {
      const std::size_t before = out.body.size();
      const IoStatus s = socket_.Read(out.body, left, deadline);
      if (s != IoStatus::kOk) return Failure(s, true);
      left -= out.body.size() - before;
    }
    if (const IoStatus s = Fill(2, deadline); s != IoStatus::kOk) return Failure(s, true);
    if (buffer_.compare(pos_, 2, "\r\n") != 0) return {false, false, "bad chunk"};
    pos_ += 2;
  }
}

HttpResponse SendOnce(const std::string& host, std::uint16_t port, std::string_view method,
                      std::string_view target, std::string_view body, const HeaderList& headers,
                      std::chrono::milliseconds timeout) {
  HttpClient client(host, port, timeout);
  HeaderList all = headers;
  all.emplace_back("Connection", "close");
  return client.Send(method, target, body, all);
}

}  // namespace cohort::http_client
