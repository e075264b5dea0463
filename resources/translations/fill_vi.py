# ruff: noqa: E501  (a glossary: long sentences read better unbroken)
"""Fill `hopdesk_vi.ts` from the Vietnamese glossary below, then build the .qm.

Run after pyside6-lupdate picked up new strings:
    .venv/bin/python resources/translations/fill_vi.py
A source text missing here stays unfinished, and tests/ui/test_translations.py fails.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
TS = HERE / "hopdesk_vi.ts"

# source text -> Vietnamese (same in every context unless CONTEXT_VI says otherwise)
VI: dict[str, str] = {
    # crash dialog, notices
    "HopDesk — unexpected error": "HopDesk — lỗi không mong muốn",
    "HopDesk ran into an unexpected problem. Your work has been kept where possible; if "
    "something no longer works, restart HopDesk. Please send the details below to your IT desk.": "HopDesk gặp sự cố không mong muốn. Dữ liệu của bạn đã được giữ lại trong khả năng có thể; "
    "nếu có chức năng không còn hoạt động, hãy khởi động lại HopDesk. Vui lòng gửi thông tin "
    "chi tiết dưới đây cho bộ phận CNTT.",
    "Log file: %1": "Tệp nhật ký: %1",
    "Copy details": "Sao chép chi tiết",
    "Close": "Đóng",
    "Copied": "Đã sao chép",
    "Something went wrong. The details are in the log file.": "Đã xảy ra lỗi. Chi tiết được ghi trong tệp nhật ký.",
    "The local cache was damaged and has been rebuilt. Your data on the server is safe; lists "
    "will reload.": "Bộ nhớ đệm trên máy bị hỏng và đã được tạo lại. Dữ liệu trên máy chủ vẫn an toàn; "
    "các danh sách sẽ được tải lại.",
    # join by link (desktop/join_link.py, ui/join_link_dialog.py)
    "Meeting number %1 on %2.": "Cuộc họp số %1 trên %2.",
    "The meeting of room “%1” on %2.": "Cuộc họp của phòng “%1” trên %2.",
    "A guest link of %1: it opens in your web browser, which joins as a guest.": "Liên kết khách mời của %1: liên kết sẽ mở trong trình duyệt web và tham gia với tư cách khách mời.",
    "A call that sends your camera and microphone to the media server %1.": "Cuộc gọi gửi hình ảnh camera và âm thanh micrô của bạn tới máy chủ truyền thông %1.",
    "Join by link": "Tham gia bằng liên kết",
    "Paste the meeting link from the invitation: hopdesk://join…, the meeting's address on the office server, a guest link or a WHIP address.": "Dán liên kết cuộc họp trong giấy mời: hopdesk://join…, địa chỉ cuộc họp trên máy chủ văn phòng, liên kết khách mời hoặc địa chỉ WHIP.",
    "hopdesk://join?…": "hopdesk://join?…",
    "Join": "Tham gia",
    "Call — %1": "Cuộc gọi — %1",
    "&Join by link…": "&Tham gia bằng liên kết…",
    "This meeting is on the server %1, but you are signed in to %2. Sign in to %1 to join it.": "Cuộc họp này ở máy chủ %1, nhưng bạn đang đăng nhập vào %2. Hãy đăng nhập vào %1 để tham gia.",
    "None of your meetings in the schedule uses the room in this link.": "Không cuộc họp nào trong lịch của bạn dùng phòng trong liên kết này.",
    "Paste a meeting link.": "Hãy dán liên kết cuộc họp.",
    "This text is too long to be a meeting link.": "Đoạn văn bản này quá dài, không thể là liên kết cuộc họp.",
    "This is not a link.": "Đây không phải là liên kết.",
    "This link does not lead to a meeting. Use the link from the invitation (hopdesk://join…, the meeting's address on the office server, a guest link or a WHIP address).": "Liên kết này không dẫn tới cuộc họp nào. Hãy dùng liên kết trong giấy mời (hopdesk://join…, địa chỉ cuộc họp trên máy chủ văn phòng, liên kết khách mời hoặc địa chỉ WHIP).",
    "The server address in this link is not valid.": "Địa chỉ máy chủ trong liên kết này không hợp lệ.",
    "This link hides a user name or password in its address and is not safe to open.": "Liên kết này giấu tên người dùng hoặc mật khẩu trong địa chỉ, mở ra không an toàn.",
    "The meeting in this link is not valid.": "Cuộc họp trong liên kết này không hợp lệ.",
    "The access code in this link is not valid.": "Mã truy cập trong liên kết này không hợp lệ.",
    "This link gives the same setting twice and is ambiguous.": "Liên kết này ghi cùng một tham số hai lần nên không rõ ràng.",
    # participant list and quality (ui/call/participants.py, ui/call/tile.py)
    "Participants": "Người tham dự",
    "Show who is in the call, muted or speaking, and their connection ({key})": "Xem ai đang trong cuộc gọi, ai tắt micrô hay đang nói, và chất lượng kết nối của họ ({key})",
    "Good connection": "Kết nối tốt",
    "Fair connection": "Kết nối trung bình",
    "Poor connection": "Kết nối kém",
    "Connection not measured yet": "Chưa đo được chất lượng kết nối",
    "speaking": "đang nói",
    "muted": "micrô đang tắt",
    "camera off": "camera đang tắt",
    # call window (ui/call/)
    "Pinned": "Đã ghim",
    "Mic off": "Micrô đang tắt",
    "Camera off": "Camera đang tắt",
    "Participant": "Người tham dự",
    "Received": "Nhận",
    "Sent": "Gửi",
    "Frame rate": "Tốc độ khung hình",
    "Resolution": "Độ phân giải",
    "Round trip": "Độ trễ khứ hồi",
    "Loss": "Mất gói",
    "{ms} ms": "{ms} ms",
    "{kbps} kbit/s": "{kbps} kbit/s",
    "{fps} fps": "{fps} hình/giây",
    "Try again": "Thử lại",
    "Connecting to the meeting…": "Đang kết nối vào cuộc họp…",
    "Connection lost. Reconnecting in {seconds} s…": "Mất kết nối. Sẽ kết nối lại sau {seconds} giây…",
    "Connection lost. Reconnecting…": "Mất kết nối. Đang kết nối lại…",
    "Could not join the meeting. {reason}": "Không tham gia được cuộc họp. {reason}",
    "You left the meeting.": "Bạn đã rời cuộc họp.",
    "Unmute": "Bật micrô",
    "Mute": "Tắt micrô",
    "Turn the microphone on ({key})": "Bật micrô ({key})",
    "Turn the microphone off ({key})": "Tắt micrô ({key})",
    "Start video": "Bật camera",
    "Stop video": "Tắt camera",
    "Turn the camera on or off ({key})": "Bật hoặc tắt camera ({key})",
    "Stop sharing": "Dừng chia sẻ",
    "Share screen": "Chia sẻ màn hình",
    "Choose what the others will see:": "Chọn nội dung mọi người sẽ thấy:",
    "Screen {number}: {name} ({width}×{height})": "Màn hình {number}: {name} ({width}×{height})",
    "Window: {title}": "Cửa sổ: {title}",
    "Share": "Chia sẻ",
    "Show your screen to the others ({key})": "Cho mọi người xem màn hình của bạn ({key})",
    "Screen sharing is not available on this computer": "Máy tính này không chia sẻ màn hình được",
    "Speaker view": "Xem người đang nói",
    "Grid view": "Xem dạng lưới",
    "Switch between the speaker and the grid layout ({key})": "Chuyển giữa bố cục người đang nói và dạng lưới ({key})",
    "Statistics": "Thống kê",
    "Show bitrate, frame rate and loss per participant ({key})": "Xem tốc độ bit, tốc độ khung hình và tỉ lệ mất gói của từng người ({key})",
    "Leave": "Rời cuộc họp",
    "Leave the meeting ({key})": "Rời cuộc họp ({key})",
    "You": "Bạn",
    "The camera stopped. Now using {name}.": "Camera đã ngừng hoạt động. Đang dùng {name}.",
    "The camera stopped. The call goes on without video.": "Camera đã ngừng hoạt động. Cuộc gọi tiếp tục không có hình.",
    "The microphone stopped. Now using {name}.": "Micrô đã ngừng hoạt động. Đang dùng {name}.",
    "The microphone stopped. The others cannot hear you.": "Micrô đã ngừng hoạt động. Người khác không nghe được bạn.",
    "Full screen": "Toàn màn hình",
    "Exit full screen": "Thoát toàn màn hình",
    "Unpin": "Bỏ ghim",
    "Pin to the big tile": "Ghim vào ô lớn",
    "Double-click or right-click to unpin": "Nhấp đúp hoặc nhấp chuột phải để bỏ ghim",
    "Double-click or right-click to pin to the big tile": "Nhấp đúp hoặc nhấp chuột phải để ghim vào ô lớn",
    "Back to the window ({key} or Esc)": "Trở lại cửa sổ ({key} hoặc Esc)",
    "Fill the screen ({key})": "Hiển thị toàn màn hình ({key})",
    "Page {page}/{pages}": "Trang {page}/{pages}",
    "The next page of participants ({key})": "Trang tiếp theo của danh sách người tham dự ({key})",
    "Join the call": "Tham gia cuộc gọi",
    "Joining the call…": "Đang tham gia cuộc gọi…",
    "You left the call.": "Bạn đã rời cuộc gọi.",
    "Could not join the call. {reason}": "Không tham gia được cuộc gọi. {reason}",
    "No microphone": "Không có micrô",
    "No camera": "Không có camera",
    "Test devices": "Kiểm tra thiết bị",
    "Camera:": "Camera:",
    "Microphone:": "Micrô:",
    "Speaker:": "Loa:",
    "Preview": "Xem trước",
    "No camera will be used.": "Sẽ không dùng camera.",
    "No microphone will be used.": "Sẽ không dùng micrô.",
    "Speak: the bar moves with your voice.": "Hãy nói thử: thanh mức âm thay đổi theo giọng của bạn.",
    "Play a test tone": "Phát âm thanh thử",
    "Playing a test tone: can you hear it?": "Đang phát âm thanh thử: bạn có nghe thấy không?",
    "Done. If you heard nothing, pick another speaker.": "Xong. Nếu không nghe thấy gì, hãy chọn loa khác.",
    "This speaker cannot play sound.": "Loa này không phát được âm thanh.",
    "{name} is missing or in use by another program.": "Không tìm thấy {name} hoặc thiết bị đang được chương trình khác sử dụng.",
    "No camera was found on this computer.": "Không tìm thấy camera nào trên máy tính này.",
    "No microphone was found on this computer.": "Không tìm thấy micrô nào trên máy tính này.",
    "No speaker was found on this computer.": "Không tìm thấy loa nào trên máy tính này.",
    "Test camera, microphone and speaker…": "Kiểm tra camera, micrô và loa…",
    "The camera {name} is missing or in use by another program.": "Không tìm thấy camera {name} hoặc camera đang được chương trình khác sử dụng.",
    "The microphone {name} is missing or in use by another program.": "Không tìm thấy micrô {name} hoặc micrô đang được chương trình khác sử dụng.",
    "No camera or microphone: you join to watch and listen only.": "Không có camera và micrô: bạn tham gia chỉ để xem và nghe.",
    "No camera: you join with audio only.": "Không có camera: bạn tham gia chỉ bằng âm thanh.",
    "No microphone: the others cannot hear you.": "Không có micrô: người khác sẽ không nghe được bạn.",
    # meeting room: agenda and papers
    "Agenda": "Chương trình họp",
    "On this computer": "Trên máy này",
    "%1 (version %2)": "%1 (phiên bản %2)",
    "Online link": "Liên kết trực tuyến",
    "Downloaded": "Đã tải về",
    "Not downloaded yet": "Chưa tải về",
    "Main documents": "Tài liệu chính",
    "Reference documents": "Tài liệu tham khảo",
    "Personal documents": "Tài liệu cá nhân",
    "Links": "Liên kết",
    "Open the new version": "Mở bản mới",
    "Add item": "Thêm nội dung",
    "Upload a paper": "Tải tài liệu lên",
    "Move up": "Chuyển lên",
    "Move down": "Chuyển xuống",
    "Replace with a new version": "Thay bằng bản mới",
    "“%1” was replaced by a new version (version %2).": "“%1” đã được thay bằng bản mới (phiên bản %2).",
    "Title of the agenda item:": "Tên nội dung họp:",
    "Title of the paper:": "Tên tài liệu:",
    "%n min": "%n phút",  # MeetingDetail's agenda_item_text (translate(…, n): not numerus)
    # documents
    "Urgency": "Độ khẩn",
    "Number/symbol": "Số, ký hiệu",
    "Issued on": "Ngày ban hành",
    "Summary": "Trích yếu",
    "Issuing agency": "Cơ quan ban hành",
    "Type": "Loại văn bản",
    "In/out": "Đến/đi",
    "Status": "Trạng thái",
    "Deadline": "Hạn xử lý",
    "Action wanted": "Yêu cầu",
    "Normal": "Thường",
    "Urgent": "Khẩn",
    "Very urgent": "Thượng khẩn",
    "Flash": "Hỏa tốc",
    "Draft": "Dự thảo",
    "Drafting": "Đang soạn thảo",
    "Processing": "Đang xử lý",
    "Awaiting review": "Chờ xem xét",
    "Awaiting approval": "Chờ phê duyệt",
    "Awaiting signature": "Chờ ký",
    "Approved": "Đã phê duyệt",
    "Signed": "Đã ký",
    "Issued": "Đã ban hành",
    "Returned": "Bị trả lại",
    "Done": "Đã xong",
    "Process": "Xử lý",
    "Coordinate": "Phối hợp",
    "Review": "Xem xét",
    "Approve": "Phê duyệt",
    "Sign": "Ký",
    "Incoming": "Văn bản đến",
    "Outgoing": "Văn bản đi",
    "Documents": "Tài liệu",
    "No documents.": "Không có tài liệu nào.",
    "Waiting for me": "Văn bản chờ tôi xử lý",
    "Nothing is waiting for you.": "Không có văn bản nào chờ bạn xử lý.",
    # main window
    "Connected": "Đã kết nối",
    "Reconnecting…": "Đang kết nối lại…",
    "Offline": "Mất kết nối",
    "Connection to the office server": "Kết nối tới máy chủ cơ quan",
    "All changes sent": "Đã gửi hết các thay đổi",
    "HopDesk — paperless office": "HopDesk — văn phòng không giấy",
    "Meetings": "Lịch họp",
    "Inbox": "Văn bản",
    "%1, %2": "%1, %2",
    "Signed in as %1": "Đăng nhập với tên %1",
    "&HopDesk": "&HopDesk",
    "&Refresh": "&Làm mới",
    "&Settings…": "&Cài đặt…",
    "Sign &out": "Đăng &xuất",
    "&Quit": "&Thoát",
    # meetings
    "Time": "Thời gian",
    "Meeting": "Cuộc họp",
    "Location": "Địa điểm",
    "Chair": "Chủ trì",
    "My attendance": "Tham dự của tôi",
    "Invited": "Được mời",
    "Accepted": "Đã nhận lời",
    "Declined": "Từ chối",
    "Delegated": "Cử người dự thay",
    "Checked in": "Đã điểm danh",
    "%1–%2": "%1–%2",
    "Today, %1": "Hôm nay, %1",
    "Tomorrow, %1": "Ngày mai, %1",
    "Online: %1": "Trực tuyến: %1",
    "Online": "Trực tuyến",
    "Chairing": "Chủ trì",
    "No meetings today or in the coming days.": "Không có cuộc họp nào hôm nay và những ngày tới.",
    # list pages
    "Filter…": "Lọc…",
    "Loading…": "Đang tải…",
    # settings
    "Settings": "Cài đặt",
    "Language:": "Ngôn ngữ:",
    "Server address:": "Địa chỉ máy chủ:",
    "Proxy:": "Máy chủ proxy:",
    "About HopDesk": "Giới thiệu HopDesk",
    "&About HopDesk": "&Giới thiệu HopDesk",
    "&Help": "&Trợ giúp",
    "version %1": "phiên bản %1",
    "Paperless meetings and document approval": "Họp không giấy và xử lý văn bản điện tử",
    "Log folder: %1": "Thư mục nhật ký: %1",
    "Bundled components and their licences:": "Các thành phần kèm theo và giấy phép của chúng:",
    "Component": "Thành phần",
    "Version": "Phiên bản",
    "Licence": "Giấy phép",
    "Stable": "Ổn định",
    "Long-term support": "Hỗ trợ dài hạn",
    "Beta (try new features first)": "Thử nghiệm (dùng trước tính năng mới)",
    "The demo server HopDesk started on this computer": "Máy chủ trình diễn do HopDesk khởi chạy trên máy tính này",
    "Media server:": "Máy chủ truyền hình:",
    "Update channel:": "Kênh cập nhật:",
    "STUN/TURN servers:": "Máy chủ STUN/TURN:",
    "Set by your organisation's policy": "Do chính sách của cơ quan bạn thiết lập",
    "Language changes apply at once. Greyed-out values are set by your organisation's policy.": "Thay đổi ngôn ngữ có hiệu lực ngay. Các giá trị bị làm mờ do chính sách của cơ quan "
    "thiết lập.",
    "Save": "Lưu",
    "Cancel": "Hủy",
    # sign-in
    "Sign in to HopDesk": "Đăng nhập HopDesk",
    "Sign in with the account your office gave you.": "Đăng nhập bằng tài khoản do cơ quan cấp cho bạn.",
    "Server:": "Máy chủ:",
    "User name:": "Tên đăng nhập:",
    "Password:": "Mật khẩu:",
    "Remember me on this computer": "Ghi nhớ đăng nhập trên máy này",
    "Cannot remember you: the system keyring is unavailable (%1).": "Không thể ghi nhớ đăng nhập: kho khóa của hệ thống không khả dụng (%1).",
    "no keyring": "không có kho khóa",
    "Sign in": "Đăng nhập",
    "Signing in…": "Đang đăng nhập…",
    # tray
    "Show HopDesk": "Hiện HopDesk",
    "Sign out": "Đăng xuất",
    "Quit": "Thoát",
    # viewer
    "Undo": "Hoàn tác",
    "Redo": "Làm lại",
    "Edit": "Sửa",
    "Delete": "Xóa",
    "This page could not be displayed.": "Không hiển thị được trang này.",
    "Search": "Tìm kiếm",
    "Match diacritics": "Phân biệt dấu",
    'When off, "quyet dinh" also finds "quyết định".': 'Khi tắt, "quyet dinh" cũng tìm thấy "quyết định".',
    "Match case": "Phân biệt chữ hoa/thường",
    "Previous": "Trước",
    "Next": "Tiếp",
    "Searching… %1 of %2 pages, %3 found": "Đang tìm… %1/%2 trang, tìm thấy %3",
    "No matches": "Không tìm thấy",
    "p. %1: %2": "tr. %1: %2",
    "Unknown signer": "Không rõ người ký",
    "{signer} — {time}\n{status}\n{trust}": "{signer} — {time}\n{status}\n{trust}",
    "No document.": "Chưa mở tài liệu.",
    "Checking signatures…": "Đang kiểm tra chữ ký…",
    "This document has no digital signatures.": "Tài liệu này không có chữ ký số.",
    "Warning: the document was modified after signing.": "Cảnh báo: tài liệu đã bị sửa đổi sau khi ký.",
    "Pages": "Trang",
    "Bookmarks": "Mục lục",
    "Open…": "Mở…",
    "Back": "Quay lại",
    "Forward": "Tiến tới",
    "Fit width": "Vừa chiều rộng",
    "Fit page": "Vừa trang",
    "%1 %": "%1 %",
    "Single page": "Từng trang",
    "Continuous": "Liên tục",
    "Two pages": "Hai trang",
    "Zoom out": "Thu nhỏ",
    "Zoom in": "Phóng to",
    "Rotate": "Xoay",
    "Find": "Tìm",
    "Present": "Trình chiếu",
    "Print…": "In…",
    "Next match": "Kết quả tiếp",
    "Previous match": "Kết quả trước",
    "Go to page": "Đến trang",
    "of %1": "trên %1",
    "Open document": "Mở tài liệu",
    "PDF documents (*.pdf)": "Tài liệu PDF (*.pdf)",
    "Wrong password. Enter the password for %1:": "Sai mật khẩu. Nhập mật khẩu của %1:",
    "Enter the password for %1:": "Nhập mật khẩu của %1:",
    "Password required": "Cần mật khẩu",
    "The printer could not be started.": "Không khởi động được máy in.",
    "Printing": "Đang in",
    "Preparing the pages…": "Đang chuẩn bị các trang…",
    "Printed page %1 of %2": "Đã in trang %1/%2",
    "There are no pages to print.": "Không có trang nào để in.",
    "Page {page} could not be prepared for printing; printing stopped.": "Không chuẩn bị được trang {page} để in; việc in đã dừng.",
    "The printer stopped after {done} of {total} pages.": "Máy in đã dừng sau {done}/{total} trang.",
    "Note": "Ghi chú",
    "Text of the note:": "Nội dung ghi chú:",
    "Highlight": "Tô sáng",
    "Underline": "Gạch chân",
    "Strike-out": "Gạch ngang",
    "Drawing": "Hình vẽ",
    "Box": "Khung",
    "Page {page} · {excerpt}": "Trang {page} · {excerpt}",
    "Add {kind}": "Thêm {kind}",
    "Edit {kind}": "Sửa {kind}",
    "Delete {kind}": "Xóa {kind}",
    "Import notes": "Nhập ghi chú",
    "The note could not be saved: {error}": "Không lưu được ghi chú: {error}",
    "The document could not be opened.": "Không mở được tài liệu.",
    "The file no longer exists.": "Tệp không còn tồn tại.",
    "Opening the document…": "Đang mở tài liệu…",
    "The file is empty.": "Tệp rỗng.",
    "The file is not a PDF document.": "Tệp không phải là tài liệu PDF.",
    "The document is damaged and cannot be displayed.": "Tài liệu bị hỏng, không thể hiển thị.",
    "The file has signatures, but it is damaged: they cannot be checked.": "Tệp có chữ ký số nhưng bị hỏng nên không kiểm tra được chữ ký.",
    "The signatures could not be checked: the file is not a readable PDF.": "Không kiểm tra được chữ ký: tệp không phải là PDF đọc được.",
    "The signatures could not be checked: the file could not be read.": "Không kiểm tra được chữ ký: không đọc được tệp.",
    "The signatures could not be checked: the checker stopped unexpectedly.": "Không kiểm tra được chữ ký: bộ kiểm tra dừng đột ngột.",
    "The signatures could not be checked (%1).": "Không kiểm tra được chữ ký (%1).",
    "This file is damaged and was repaired to show it: some content may be missing or blank. Ask the sender for an intact copy if it matters.": "Tệp này bị hỏng và đã được sửa để hiển thị: có thể thiếu hoặc trắng một phần nội dung. Nếu nội dung quan trọng, hãy xin người gửi một bản nguyên vẹn.",
    "The document has no pages.": "Tài liệu không có trang nào.",
    "The document is protected by a password that was not given.": "Tài liệu được bảo vệ bằng mật khẩu nhưng chưa nhập mật khẩu.",
    "The signer's certificate is issued by a trusted authority.": "Chứng thư số của người ký do tổ chức tin cậy cấp.",
    "The signer's certificate is not issued by a trusted authority.": "Chứng thư số của người ký không do tổ chức tin cậy cấp.",
    "The signature could not be checked.": "Không kiểm tra được chữ ký.",
    "The document was modified after signing: the signature no longer fits.": "Tài liệu đã bị sửa đổi sau khi ký: chữ ký không còn khớp.",
    "The signature is not valid.": "Chữ ký không hợp lệ.",
    "The document was modified after signing in a way that is not allowed.": "Tài liệu đã bị sửa đổi sau khi ký theo cách không được phép.",
    "The signature is valid; later changes (such as other signatures) are allowed.": "Chữ ký hợp lệ; các thay đổi sau đó (như chữ ký khác) là được phép.",
    "The signature is valid and the document has not been modified since.": "Chữ ký hợp lệ và tài liệu chưa bị sửa đổi kể từ khi ký.",
    "unknown time": "không rõ thời gian",
    "{name} · {time}": "{name} · {time}",
    "{marking} · {line}": "{marking} · {line}",
    # client core (desktop/errors.py, session.py, secrets.py)
    "The server sent data this version of HopDesk cannot read. HopDesk may need an update; the details are in the log file.": "Máy chủ gửi dữ liệu mà phiên bản HopDesk này không đọc được. Có thể cần cập nhật HopDesk; chi tiết được ghi trong tệp nhật ký.",
    "The user name or password is wrong.": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "Your session has ended. Please sign in again.": "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.",
    "You are not signed in. Please sign in first.": "Bạn chưa đăng nhập. Vui lòng đăng nhập trước.",
    "Cannot reach the server at %1 (%2). Check the address and your network.": "Không kết nối được tới máy chủ %1 (%2). Hãy kiểm tra địa chỉ và mạng của bạn.",
    "The secure connection to %1 failed: %2. Ask your IT department to check the server certificate, or to trust your organisation's certificate authority by machine policy.": "Kết nối bảo mật tới %1 không thành công: %2. Hãy đề nghị bộ phận CNTT kiểm tra chứng thư số của máy chủ, hoặc đặt tổ chức cấp chứng thư số của cơ quan bạn làm nguồn tin cậy bằng chính sách máy.",
    "The address %1 does not answer like a HopDesk server (%2). Check the address.": "Địa chỉ %1 không phản hồi như một máy chủ HopDesk (%2). Hãy kiểm tra lại địa chỉ.",
    "“%1” is not a valid server address. Use an address like https://server.gov.vn.": "“%1” không phải là địa chỉ máy chủ hợp lệ. Hãy dùng địa chỉ dạng https://server.gov.vn.",
    "You are not allowed to do this.": "Bạn không có quyền thực hiện thao tác này.",
    "This item no longer exists or you can no longer see it.": "Mục này không còn tồn tại hoặc bạn không còn quyền xem.",
    "This is too large to send to the server.": "Dữ liệu quá lớn để gửi lên máy chủ.",
    "The server refused the request: %1": "Máy chủ từ chối yêu cầu: %1",
    "Too many failed attempts. Try again in %1 minutes.": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %1 phút.",
    "Too many failed attempts. Try again in %1 seconds.": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %1 giây.",
    "HopDesk cannot remember you on this computer: %1": "HopDesk không thể ghi nhớ đăng nhập trên máy này: %1",
    "The server had an internal error (%1). Try again later.": "Máy chủ gặp lỗi nội bộ (%1). Vui lòng thử lại sau.",
    "no system keyring was found on this computer": "không tìm thấy kho khóa hệ thống trên máy này",
    "the system keyring has been turned off": "kho khóa hệ thống đã bị tắt",
    "the system keyring refused to store the sign-in (%1)": "kho khóa hệ thống từ chối lưu thông tin đăng nhập (%1)",
    "Wrong passwords typed for your account since your last sign-in: %1; the last one at "
    "%2 from %3. If it was not you, tell your IT administrator.": "%1 lần đăng nhập sai kể từ lần đăng nhập trước; lần gần nhất lúc %2 "
    "từ địa chỉ %3. Nếu không phải bạn, hãy báo cho quản trị hệ thống.",
    "Your session has ended (signed out elsewhere or expired). Please sign in again.": "Phiên làm việc đã kết thúc (đã đăng xuất ở nơi khác hoặc hết hạn). Vui lòng đăng nhập lại.",
    "Your saved sign-in is no longer available. Please sign in again.": "Thông tin đăng nhập đã lưu không còn nữa. Vui lòng đăng nhập lại.",
    # files (desktop/files.py through desktop/errors.py)
    "The file “%1” is not available to you: it was removed, or you may no longer see it.": "Tệp “%1” không còn dành cho bạn: tệp đã bị gỡ bỏ hoặc bạn không còn quyền xem.",
    "The file “%1” arrived damaged and was not opened. Try again; if it happens again, tell your IT department.": "Tệp “%1” tải về bị hỏng nên không được mở. Hãy thử lại; nếu vẫn lỗi, hãy báo bộ phận CNTT.",
    "HopDesk cannot save files in %1 (%2).": "HopDesk không lưu được tệp vào %1 (%2).",
    "There is not enough free disk space in %1 to save this file. Free some space and try again.": "Ổ đĩa chứa %1 không đủ dung lượng trống để lưu tệp này. Hãy giải phóng bớt dung lượng rồi thử lại.",
    # reader window, reader, meeting detail
    "&Open file…": "&Mở tệp…",
    "Open file": "Mở tệp",
    "Retry": "Thử lại",
    "Double-click a paper, or press Enter, to read it.": "Nhấp đúp vào tài liệu, hoặc nhấn Enter, để đọc.",
    "Time: %1": "Thời gian: %1",
    "Place: %1": "Địa điểm: %1",
    "Chair: %1": "Chủ trì: %1",
    "%1. %2": "%1. %2",
    "%1 (%2)": "%1 (%2)",
    "My notes": "Ghi chú của tôi",
    "Signatures": "Chữ ký số",
    "Select": "Chọn",
    "Strike out": "Gạch ngang",
    "Sticky note": "Ghi chú dán",
    "Draw": "Vẽ tay",
    "Colour of new notes": "Màu của ghi chú mới",
    "Export notes into a copy…": "Xuất ghi chú ra bản sao…",
    "Import notes from a PDF…": "Nhập ghi chú từ tệp PDF…",
    "%1 (notes).pdf": "%1 (ghi chú).pdf",
    "Export notes": "Xuất ghi chú",
    "The notes could not be exported.": "Không xuất được ghi chú.",
    "The notes could not be imported from that file.": "Không nhập được ghi chú từ tệp đó.",
    "Downloading “%1”…": "Đang tải “%1”…",
    "CONFIDENTIAL": "MẬT",
    "SECRET": "TỐI MẬT",
    "%1 — %2": "%1 — %2",
    "Document": "Văn bản",
    "The download was cancelled.": "Đã hủy tải xuống.",
    "HopDesk — documents": "HopDesk — tài liệu",
    "This document has no file yet.": "Văn bản này chưa có tệp.",
    "The file %1 no longer exists.": "Tệp %1 không còn tồn tại.",
    "The PDF renderer could not start (%1). Restart HopDesk.": "Không khởi động được bộ hiển thị PDF (%1). Hãy khởi động lại HopDesk.",
    # annotation colours
    "Yellow": "Vàng",
    "Green": "Xanh lá",
    "Blue": "Xanh dương",
    "Pink": "Hồng",
    "Red": "Đỏ",
    # signing (desktop/signing/errors.py)
    "The document could not be signed. The details are in the log file.": "Không ký được văn bản. Chi tiết có trong tệp nhật ký.",
    "Wrong PIN. One try is left: one more wrong PIN locks the token.": "Sai mã PIN. Chỉ còn một lần thử: nhập sai thêm một lần nữa thiết bị ký số sẽ bị khóa.",
    "Wrong PIN. Few tries are left before the token locks.": "Sai mã PIN. Chỉ còn ít lần thử trước khi thiết bị ký số bị khóa.",
    "Wrong PIN. Check it and try again.": "Sai mã PIN. Vui lòng kiểm tra và thử lại.",
    "The token is locked after too many wrong PINs. Contact your certificate authority to unlock it.": "Thiết bị ký số đã bị khóa do nhập sai mã PIN quá nhiều lần. Vui lòng liên hệ tổ chức cung cấp chứng thư số để mở khóa.",
    "The signing token is not available. Plug it in and try again.": "Không tìm thấy thiết bị ký số. Vui lòng cắm thiết bị và thử lại.",
    "The token driver stopped working. The signature was not made; try again.": "Trình điều khiển thiết bị ký số đã ngừng hoạt động. Văn bản chưa được ký; vui lòng thử lại.",
    "The timestamp server did not answer. Try again later or sign without a timestamp.": "Máy chủ cấp dấu thời gian không phản hồi. Vui lòng thử lại sau hoặc ký không kèm dấu thời gian.",
    "The PDF is encrypted, so it cannot be signed.": "Tệp PDF đã được mã hóa nên không thể ký.",
    "The PDF is damaged, so it cannot be signed.": "Tệp PDF bị hỏng nên không thể ký.",
    "The document has no signature places yet: submit it for signature first.": "Văn bản chưa có vị trí ký: vui lòng trình ký trước.",
    "The document changed after it was given to you, so it was not signed. Open it again to read the current version.": "Văn bản đã thay đổi sau khi được giao cho bạn nên chưa được ký. Vui lòng mở lại để đọc phiên bản hiện tại.",
    "The leader has not signed yet: the agency signs after the leader.": "Lãnh đạo chưa ký: chữ ký của cơ quan chỉ được thực hiện sau chữ ký của lãnh đạo.",
    "The document was issued.": "Văn bản đã được phát hành.",
    "The server has not issued the document yet (no number): the agency signs once it has.": "Máy chủ chưa phát hành văn bản (chưa có số): cơ quan chỉ ký số sau khi văn bản đã được phát hành.",
    "The certificate expired on %1: it can no longer sign.": "Chứng thư số đã hết hạn ngày %1: không thể dùng để ký.",
    "The certificate is valid only from %1: it cannot sign yet.": "Chứng thư số chỉ có hiệu lực từ ngày %1: chưa thể dùng để ký.",
    "The certificate is not made for signing documents (its key usage does not allow it).": "Chứng thư số không dùng để ký văn bản (mục đích sử dụng khóa không cho phép).",
    "The certificate was revoked on %1: it can no longer sign.": "Chứng thư số đã bị thu hồi ngày %1: không thể dùng để ký.",
    "The certificate was not issued by a trusted certification authority.": "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực tin cậy cấp.",
    # remote signing (desktop/signing/remote/errors.py)
    "The remote signing service could not sign the document. The details are in the log file.": "Dịch vụ ký số từ xa không ký được văn bản. Chi tiết có trong tệp nhật ký.",
    "The remote signing service cannot be reached. Check the network and try again.": "Không kết nối được dịch vụ ký số từ xa. Vui lòng kiểm tra kết nối mạng và thử lại.",
    "HopDesk is not signed in to the remote signing service. Sign in to it in Settings and try again.": "HopDesk chưa đăng nhập dịch vụ ký số từ xa. Vui lòng đăng nhập trong phần Cài đặt và thử lại.",
    "The remote signing service has no signing certificate for this account.": "Dịch vụ ký số từ xa không có chứng thư số để ký cho tài khoản này.",
    "The remote signing service sent an answer HopDesk does not understand. The document was not signed.": "Dịch vụ ký số từ xa trả lời không hợp lệ. Văn bản chưa được ký.",
    "The signing request was refused on the phone. The document was not signed.": "Yêu cầu ký đã bị từ chối trên điện thoại. Văn bản chưa được ký.",
    "The signing request was not approved on the phone in time. The document was not signed; try again.": "Yêu cầu ký không được xác nhận trên điện thoại kịp thời hạn. Văn bản chưa được ký; vui lòng thử lại.",
    "Signing was cancelled. The document was not signed.": "Đã hủy ký. Văn bản chưa được ký.",
    "No remote signing service is set up. Set it up in Settings.": "Chưa thiết lập dịch vụ ký số từ xa. Vui lòng thiết lập trong phần Cài đặt.",
    # remote signing in the sign dialog, the waiting window and Settings
    "Remote signing (phone)": "Ký số từ xa (điện thoại)",
    "Signing service": "Dịch vụ ký số",
    "Waiting for approval on the phone": "Đang chờ xác nhận trên điện thoại",
    "Cancel signing": "Hủy ký",
    "Open the signing app on your phone and approve the request (document %1 of %2).": "Mở ứng dụng ký số trên điện thoại và xác nhận yêu cầu ký (văn bản %1/%2).",
    "Time left: %1:%2": "Thời gian còn lại: %1:%2",
    "Approved. Signing the document…": "Đã xác nhận. Đang ký văn bản…",
    "Cancelling…": "Đang hủy…",
    "USB token driver (PKCS#11):": "Trình điều khiển USB token (PKCS#11):",
    "Remote signing service:": "Dịch vụ ký số từ xa:",
    "Remote signing address:": "Địa chỉ dịch vụ ký số từ xa:",
    "Remote signing account:": "Tài khoản ký số từ xa:",
    "Remote signing certificate (credential ID):": "Chứng thư ký số từ xa (mã credential):",
    "None": "Không dùng",
    "CSC API (Viettel MySign…)": "Giao thức CSC (Viettel MySign…)",
    "Send the hash, then wait (VNPT SmartCA, FPT CA)": "Gửi mã băm rồi chờ xác nhận (VNPT SmartCA, FPT CA)",
    "Remote signing access token:": "Mã truy cập dịch vụ ký số từ xa:",
    "Kept in the system keyring": "Lưu trong kho khóa của hệ điều hành",
    # recipient picker at issuance
    "Search people or units": "Tìm người hoặc đơn vị",
    "No unit": "Chưa thuộc đơn vị",
    # issuance finished after a restart
    "Document %1 was issued as number %2 but not yet signed with the agency's seal. Sign it now.": "Văn bản %1 đã được phát hành với số %2 nhưng chưa ký số của cơ quan. Vui lòng ký ngay.",
    "The issued document was signed with the agency's seal.": "Văn bản đã phát hành đã được ký số của cơ quan.",
    # media/errors.py: the call engine
    "The call failed.": "Cuộc gọi không thành công.",
    "The meeting server cannot be reached or sent an invalid reply.": "Không kết nối được máy chủ cuộc họp hoặc máy chủ trả lời không hợp lệ.",
    "No network path to the other participants; check the network or TURN.": "Không có đường truyền mạng tới các đại biểu khác; hãy kiểm tra mạng hoặc máy chủ TURN.",
    "The meeting server did not let you into this call.": "Máy chủ cuộc họp không cho phép bạn tham gia cuộc gọi này.",
    "The camera or microphone is missing or in use by another program.": "Không tìm thấy camera hoặc micrô, hoặc thiết bị đang được chương trình khác sử dụng.",
    "The video room of this meeting did not accept its PIN. Ask the meeting's "
    "organiser to check the meeting's video settings.": "Phòng truyền hình của cuộc họp không nhận mã PIN của cuộc họp. Xin người tổ chức kiểm tra lại cấu hình truyền hình của cuộc họp.",
    # approval inbox (issue 12)
    "Sign selected": "Ký các văn bản đã chọn",
    "Sign every selected document waiting for your signature, with one PIN": "Ký tất cả văn bản đã chọn đang chờ bạn ký, chỉ nhập mã PIN một lần",
    "%n document(s) signed.": "Đã ký %n văn bản.",
    "Key file (PKCS#12)": "Tệp khóa (PKCS#12)",
    "Signature image": "Ảnh chữ ký",
    "PIN": "Mã PIN",
    "Choose…": "Chọn…",
    "Choose a file": "Chọn tệp",
    "USB token (PKCS#11)": "Thiết bị ký số USB (PKCS#11)",
    "Key": "Khóa ký",
    "Read the token": "Đọc thiết bị ký số",
    "Token driver": "Trình điều khiển thiết bị",
    "Certificate": "Chứng thư số",
    "Reading the token…": "Đang đọc thiết bị ký số…",
    "No certificate was found on the token.": "Không tìm thấy chứng thư số nào trên thiết bị ký số.",
    "In progress": "Đang xử lý",
    "Sent by me": "Tôi đã trình",
    "Search number, summary, agency, full text…": "Tìm theo số, trích yếu, cơ quan, toàn văn…",
    "Any urgency": "Mọi độ khẩn",
    "Most urgent first": "Khẩn nhất trước",
    "Nearest deadline": "Hạn gần nhất trước",
    "Any type": "Mọi loại văn bản",
    "Any agency": "Mọi cơ quan",
    "Person": "Người nhận",
    "Symbol": "Ký hiệu",
    "Reason": "Lý do",
    "Signer": "Người ký",
    "Recipients": "Nơi nhận",
    "Version %1": "Bản %1",
    "Attachment: %1": "Phụ lục: %1",
    "%1: %2 (%3)": "%1: %2 (%3)",
    "Assign": "Phân công",
    "Ask to coordinate": "Đề nghị phối hợp",
    "Give opinion": "Cho ý kiến phối hợp",
    "Complete": "Hoàn thành",
    "Submit": "Trình",
    "Return": "Trả lại",
    "Issue": "Phát hành",
    "Comment": "Cho ý kiến",
    "Instruct": "Chỉ đạo",
    "Route": "Phân công xử lý",
    "Registered": "Đã vào sổ",
    "Read the document": "Đọc văn bản",
    "Approvals": "Phê duyệt",
    "New document assigned to you": "Có văn bản mới giao cho bạn",
    # meeting room: core (window, join, lifecycle)
    "Join the meeting room": "Vào phòng họp",
    "Open the meeting": "Bắt đầu cuộc họp",
    "End the meeting": "Kết thúc cuộc họp",
    "Status: %1": "Trạng thái: %1",
    "Not started": "Chưa bắt đầu",
    "Ended": "Đã kết thúc",
    "Minutes approved": "Đã duyệt biên bản",
    "The call, or the paper being presented, appears here.": "Cuộc gọi hoặc tài liệu đang trình bày sẽ hiện ở đây.",
    # meeting room: attendance
    "Attendance": "Điểm danh",
    "Attendees": "Thành phần tham dự",
    "Name": "Họ và tên",
    "Role": "Vai trò",
    "Secretary": "Thư ký",
    "Delegate": "Đại biểu",
    "Guest": "Khách mời",
    "Bridge point": "Điểm cầu",
    "Absent: %1": "Vắng mặt: %1",
    "In the call": "Đang trong cuộc họp trực tuyến",
    "Checked in at %1": "Đã điểm danh lúc %1",
    "Represented by %1": "Được %1 dự thay",
    "Declined: %1": "Từ chối: %1",
    "Not answered": "Chưa trả lời",
    "%1 (for %2)": "%1 (dự thay %2)",
    "Check in": "Điểm danh",
    "Reason for the absence": "Lý do vắng mặt",
    "Mark absent": "Ghi vắng mặt",
    "Present: %1 of %2": "Có mặt: %1/%2",
    "I am in the hall": "Tôi đã có mặt tại hội trường",
    # meeting room: schedule, invitation, reminder
    "Upcoming": "Sắp tới",
    "Day": "Ngày",
    "Week": "Tuần",
    "Today": "Hôm nay",
    "%1 – %2": "%1 – %2",
    "No meetings on this day.": "Không có cuộc họp nào trong ngày này.",
    "No meetings in this week.": "Không có cuộc họp nào trong tuần này.",
    "Accept": "Nhận lời",
    "Decline": "Từ chối",
    "Reason for declining": "Lý do từ chối",
    "Send a deputy": "Cử người dự thay",
    "Meeting soon": "Sắp đến giờ họp",
    "%1 starts at %2.": "%1 bắt đầu lúc %2.",
    # meeting room: votes (ui/meeting_room/poll_panel.py)
    "Votes": "Biểu quyết",
    "Not opened yet": "Chưa mở biểu quyết",
    "Voting": "Đang biểu quyết",
    "Closed": "Đã kết thúc",
    "Secret ballot": "Bỏ phiếu kín",
    "Open the vote": "Mở biểu quyết",
    "Close the vote": "Kết thúc biểu quyết",
    "New vote": "Tạo biểu quyết mới",
    "One option per line; empty: Agree, Disagree, Abstain": (
        "Mỗi dòng một phương án; để trống: Tán thành, Không tán thành, Không biểu quyết"
    ),
    "Voters may change their vote before the close": "Cho phép thay đổi lựa chọn trước khi kết thúc",
    "Show the results while voting": "Hiện kết quả trong khi biểu quyết",
    "Opinion form for members who are away": "Phiếu lấy ý kiến cho thành viên vắng mặt",
    "Create the vote": "Tạo biểu quyết",
    "Question": "Nội dung biểu quyết",
    "Options": "Các phương án",
    "%1 (until %2)": "%1 (hạn đến %2)",
    "Voted: %1 of %2": "Đã biểu quyết: %1/%2",
    "Your vote is waiting to be sent.": "Phiếu của bạn đang chờ gửi.",
    "You voted: %1": "Bạn đã chọn: %1",
    "You have voted. Your choice is secret: it is kept nowhere.": (
        "Bạn đã bỏ phiếu. Lựa chọn của bạn được giữ kín: không nơi nào lưu lại."
    ),
    "%1: %2 (%3%)": "%1: %2 phiếu (%3%)",
    # meeting room: signed open ballots (ui/meeting_room/poll_panel.py, ballots.py)
    "Sign my vote with my digital certificate": "Ký số phiếu biểu quyết bằng chứng thư số của tôi",
    "Your ballot is signed with your key (key file or USB token) and everyone will see that you signed it.": (
        "Phiếu của bạn được ký bằng khóa của bạn (tệp khóa hoặc thiết bị ký số USB) và mọi người sẽ thấy phiếu đã được ký số."
    ),
    "Signing your vote…": "Đang ký số phiếu biểu quyết…",
    "Sign your vote “%1” on: %2": "Ký số phiếu “%1” cho nội dung: %2",
    "Your vote was not sent: it could not be signed. You can vote again.": (
        "Phiếu của bạn chưa được gửi vì chưa ký số được. Bạn có thể biểu quyết lại."
    ),
    "%1: %2 — signed by %3": "%1: %2 — ký số bởi %3",
    "%1: %2 — not signed": "%1: %2 — không ký số",
    "Signed with a digital certificate: %1 of %2": "Số phiếu có ký số: %1/%2",
    "Opinion forms": "Phiếu lấy ý kiến",
    "%1: %2 — signed by %3 (certificate not trusted)": "%1: %2 — ký số bởi %3 (chứng thư số không được tin cậy)",
    "The certificate is not chained to a certification authority this computer trusts, or the signature does not match this choice: the name it gives is not proven.": (
        "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực mà máy tính này tin cậy cấp, hoặc chữ ký không khớp với lựa chọn này: tên ghi trong chứng thư chưa được xác thực."
    ),
    "The server checked that this signature was made over this choice in this poll by the key of the certificate it names.": (
        "Máy chủ đã kiểm tra chữ ký số này được tạo cho đúng lựa chọn trong cuộc biểu quyết này bằng khóa của chứng thư số được nêu."
    ),
    # meeting room: speak queue, chat, follow the presenter
    "Speakers": "Phát biểu",
    "Speaking: %1": "Đang phát biểu: %1",
    "Request to speak": "Xin phát biểu",
    "Withdraw request": "Rút đăng ký",
    "Give the floor": "Mời phát biểu",
    "End turn": "Kết thúc lượt",
    "Lower": "Hạ đăng ký",
    "Lower all": "Hạ tất cả",
    "Delegates stay muted until given the floor": "Đại biểu tắt micrô đến khi được mời phát biểu",
    "Speaking now: %1": "Đang phát biểu: %1",
    "Nobody has the floor": "Chưa có ai phát biểu",
    "You have the floor": "Bạn đang được mời phát biểu",
    "You have been invited to speak.": "Bạn đã được mời phát biểu.",
    "Opening the paper…": "Đang mở tài liệu…",
    # the document's PDF in the approval detail (ui/document_pane.py)
    "Loading the document…": "Đang tải văn bản…",
    "The document cannot be shown: %1": "Không hiển thị được văn bản: %1",
    "No paper is being presented.": "Chưa có tài liệu nào được trình bày.",
    "Site mode": "Chế độ điểm cầu",
    "Present on the stage": "Trình bày tài liệu",
    "Show the paper chosen in the agenda to everyone who follows you": (
        "Hiển thị tài liệu đã chọn trong chương trình họp cho những người theo dõi bạn"
    ),
    "Choose a paper (a file) in the agenda first.": (
        "Hãy chọn một tài liệu (tệp) trong chương trình họp trước."
    ),
    "Full screen for the hall's screen: the speaker and the page (Esc leaves)": (
        "Toàn màn hình cho màn hình hội trường: người phát biểu và trang tài liệu (Esc để thoát)"
    ),
    "The paper cannot be shown: {reason}": "Không hiển thị được tài liệu: {reason}",
    "You have been invited to speak. Your microphone is on.": (
        "Bạn đã được mời phát biểu. Micrô của bạn đã được bật."
    ),
    "Your microphone stays off until the chair gives you the floor": (
        "Micrô của bạn tắt cho đến khi chủ trì mời bạn phát biểu"
    ),
    "Your place: %1": "Vị trí của bạn: %1",
    "Sending your request…": "Đang gửi đăng ký…",
    "Chat": "Trò chuyện",
    "(sending) %1": "(đang gửi) %1",
    "%1 → %2: %3": "%1 → %2: %3",
    "Load older messages": "Xem tin nhắn cũ hơn",
    "Everyone": "Tất cả mọi người",
    "Write a message": "Nhập tin nhắn",
    "Send": "Gửi",
    "The message could not be sent: %1": "Không gửi được tin nhắn: %1",
    "Follow the presenter": "Theo dõi người trình bày",
    # meeting room: conclusions and minutes (ui/meeting_room/conclusions_panel.py)
    "Conclusions": "Kết luận",
    "Conclusion": "Kết luận",
    "The conclusion of this item": "Kết luận của nội dung này",
    "No conclusion yet": "Chưa có kết luận",
    "Save the conclusion": "Lưu kết luận",
    "Saved": "Đã lưu",
    "Minutes": "Biên bản",
    "Make the minutes": "Lập biên bản",
    "Open the minutes": "Mở biên bản",
    "Sign the minutes": "Ký biên bản",
    "My note": "Ghi chú của tôi",
    "Save my note": "Lưu ghi chú",
    "Only you can read your note": "Chỉ mình bạn đọc được ghi chú này",
    "The minutes have not been made yet.": "Chưa lập biên bản.",
    "Waiting for the secretary's signature.": "Đang chờ thư ký ký.",
    "Waiting for the chair's signature.": "Đang chờ người chủ trì ký.",
    "Signed by the secretary and the chair.": "Thư ký và người chủ trì đã ký.",
}

# (context, source) -> Vietnamese, where a context needs its own word
CONTEXT_VI: dict[tuple[str, str], str] = {
    ("ApprovalDetail", "Forward"): "Chuyển xử lý",
    ("ApprovalDetail", "Submit"): "Trình ký",  # the workflow's name for submitting for signature
    ("MeetingRoom", "Draft"): "Bản nháp",
    ("MeetingRoom", "In progress"): "Đang họp",
    ("PollPanel", "Deadline"): "Hạn lấy ý kiến",
    ("SpeakPanel", "Next"): "Mời người tiếp theo",
}

# plural forms (Vietnamese has one form)
PLURAL_VI: dict[str, str] = {
    "%n action(s) waiting to be sent": "%n thao tác đang chờ gửi",
    "%n document(s) to sign": "%n văn bản cần ký",
    "%n document(s) signed.": "Đã ký %n văn bản.",
    "%n document(s) waiting for you": "%n văn bản đang chờ bạn xử lý",
    "(%n)": "(%n)",
    "%n match(es)": "%n kết quả",
    "%n signature(s).": "%n chữ ký.",
    "%n min": "%n phút",
    "%n note(s) exported to %1.": "Đã xuất %n ghi chú ra %1.",
    "%n note(s) imported.": "Đã nhập %n ghi chú.",
}


ROOT = HERE.parent.parent
PACKAGES = ("desktop", "ui", "viewer", "media")


def _is_translate(node: ast.AST) -> bool:
    """`QCoreApplication.translate` / `QCoreApplication.tr`-less attribute named translate."""
    return isinstance(node, ast.Attribute) and node.attr == "translate"


def hidden_messages(root: Path = ROOT) -> list[tuple[str, str]]:
    """(context, source) texts lupdate cannot read, found by parsing the code.

    Two patterns hide texts from lupdate: a wrapper `def _tr(text): return
    QCoreApplication.translate("errors", text)` called as `_tr("...")`, and an alias
    `tr = QCoreApplication.translate` called as `tr("viewer", "...")`. Their texts are added to the
    .ts here so Vietnamese users see them translated; the code owners were asked to call
    `QCoreApplication.translate(context, "literal")` directly instead.
    """
    found: list[tuple[str, str]] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            wrappers: dict[str, str] = {}  # function name -> fixed context
            aliases: set[str] = set()  # names bound to translate itself
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and len(node.args.args) == 1:
                    for inner in ast.walk(node):
                        if (
                            isinstance(inner, ast.Call)
                            and _is_translate(inner.func)
                            and len(inner.args) >= 2
                            and isinstance(inner.args[0], ast.Constant)
                            and isinstance(inner.args[1], ast.Name)
                        ):
                            wrappers[node.name] = str(inner.args[0].value)
                elif isinstance(node, ast.Assign) and _is_translate(node.value):
                    aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                args = node.args
                if node.func.id in wrappers and args and isinstance(args[0], ast.Constant):
                    found.append((wrappers[node.func.id], str(args[0].value)))
                elif (
                    node.func.id in aliases
                    and len(args) >= 2
                    and all(isinstance(a, ast.Constant) for a in args[:2])
                ):
                    found.append((str(args[0].value), str(args[1].value)))  # type: ignore[attr-defined]
    return list(dict.fromkeys(found))


def add_hidden(tree: ET.ElementTree) -> None:
    """Add the hidden texts as messages (lupdate -no-obsolete drops them; we add them back)."""
    root = tree.getroot()
    contexts = {c.findtext("name") or "": c for c in root.iter("context")}
    for name, source in hidden_messages():
        context = contexts.get(name)
        if context is None:
            context = ET.SubElement(root, "context")
            ET.SubElement(context, "name").text = name
            contexts[name] = context
        if any(m.findtext("source") == source for m in context.iter("message")):
            continue
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        ET.SubElement(message, "translation", type="unfinished")
    # lupdate reads `tr("viewer", "text")` as source "viewer": drop those phantom messages
    for context in root.findall("context"):
        if not context.findtext("name"):
            root.remove(context)


def fill(ts: Path = TS) -> list[tuple[str, str]]:
    """Write every known translation into `ts`; returns the (context, source) still missing."""
    tree = ET.parse(ts)
    add_hidden(tree)
    missing: list[tuple[str, str]] = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            assert translation is not None
            if message.get("numerus") == "yes":
                text = PLURAL_VI.get(source)
                if text is None:
                    missing.append((name, source))
                    continue
                for child in list(translation):
                    translation.remove(child)
                form = ET.SubElement(translation, "numerusform")
                form.text = text
                translation.attrib.pop("type", None)
                continue
            text = CONTEXT_VI.get((name, source), VI.get(source))
            if text is None:
                if translation.get("type") == "unfinished" or not translation.text:
                    missing.append((name, source))
                continue
            translation.text = text
            translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    left = fill()
    for context, source in left:
        print(f"missing: [{context}] {source!r}")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)
