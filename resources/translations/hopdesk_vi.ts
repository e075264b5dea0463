<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi_VN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About HopDesk</source>
        <translation>Giới thiệu HopDesk</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>phiên bản %1</translation>
    </message>
    <message>
        <source>Paperless meetings and document approval</source>
        <translation>Họp không giấy và xử lý văn bản điện tử</translation>
    </message>
    <message>
        <source>Log folder: %1</source>
        <translation>Thư mục nhật ký: %1</translation>
    </message>
    <message>
        <source>Bundled components and their licences:</source>
        <translation>Các thành phần kèm theo và giấy phép của chúng:</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>Thành phần</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Phiên bản</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Giấy phép</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>Person</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>Ký hiệu</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Nơi nhận</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
</context>
<context>
    <name>AgendaModel</name>
    <message>
        <source>Agenda</source>
        <translation>Chương trình họp</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Trên máy này</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 (version %2)</source>
        <translation>%1 (phiên bản %2)</translation>
    </message>
    <message>
        <source>Online link</source>
        <translation>Liên kết trực tuyến</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>Đã tải về</translation>
    </message>
    <message>
        <source>Not downloaded yet</source>
        <translation>Chưa tải về</translation>
    </message>
</context>
<context>
    <name>AgendaPanel</name>
    <message>
        <source>Main documents</source>
        <translation>Tài liệu chính</translation>
    </message>
    <message>
        <source>Reference documents</source>
        <translation>Tài liệu tham khảo</translation>
    </message>
    <message>
        <source>Personal documents</source>
        <translation>Tài liệu cá nhân</translation>
    </message>
    <message>
        <source>Links</source>
        <translation>Liên kết</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Add item</source>
        <translation>Thêm nội dung</translation>
    </message>
    <message>
        <source>Upload a paper</source>
        <translation>Tải tài liệu lên</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Chuyển lên</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Chuyển xuống</translation>
    </message>
    <message>
        <source>Replace with a new version</source>
        <translation>Thay bằng bản mới</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Title of the agenda item:</source>
        <translation>Tên nội dung họp:</translation>
    </message>
    <message>
        <source>Title of the paper:</source>
        <translation>Tên tài liệu:</translation>
    </message>
</context>
<context>
    <name>ApprovalDetail</name>
    <message>
        <source>Issuing agency</source>
        <translation>Cơ quan ban hành</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Loại văn bản</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <source>Issued on</source>
        <translation>Ngày ban hành</translation>
    </message>
    <message>
        <source>Signer</source>
        <translation>Người ký</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Nơi nhận</translation>
    </message>
    <message>
        <source>Version %1</source>
        <translation>Bản %1</translation>
    </message>
    <message>
        <source>Attachment: %1</source>
        <translation>Phụ lục: %1</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>Phân công</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Chuyển xử lý</translation>
    </message>
    <message>
        <source>Ask to coordinate</source>
        <translation>Đề nghị phối hợp</translation>
    </message>
    <message>
        <source>Give opinion</source>
        <translation>Cho ý kiến phối hợp</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>Trình ký</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Phê duyệt</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Trả lại</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Ký</translation>
    </message>
    <message>
        <source>Issue</source>
        <translation>Phát hành</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Cho ý kiến</translation>
    </message>
    <message>
        <source>Instruct</source>
        <translation>Chỉ đạo</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Phân công xử lý</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Xử lý</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Xem xét</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>Đã vào sổ</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Drafting</source>
        <translation>Đang soạn thảo</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Bị trả lại</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>Chờ phê duyệt</translation>
    </message>
    <message>
        <source>Awaiting signature</source>
        <translation>Chờ ký</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Đã ký</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>Đã ban hành</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <source>Read the document</source>
        <translation>Đọc văn bản</translation>
    </message>
</context>
<context>
    <name>ApprovalView</name>
    <message>
        <source>Waiting for me</source>
        <translation>Văn bản chờ tôi xử lý</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <source>Sent by me</source>
        <translation>Tôi đã trình</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Văn bản đến</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Văn bản đi</translation>
    </message>
    <message>
        <source>Sign selected</source>
        <translation>Ký các văn bản đã chọn</translation>
    </message>
    <message>
        <source>Sign every selected document waiting for your signature, with one PIN</source>
        <translation>Ký tất cả văn bản đã chọn đang chờ bạn ký, chỉ nhập mã PIN một lần</translation>
    </message>
    <message>
        <source>Search number, summary, agency, full text…</source>
        <translation>Tìm theo số, trích yếu, cơ quan, toàn văn…</translation>
    </message>
    <message>
        <source>Any urgency</source>
        <translation>Mọi độ khẩn</translation>
    </message>
    <message>
        <source>Most urgent first</source>
        <translation>Khẩn nhất trước</translation>
    </message>
    <message>
        <source>Nearest deadline</source>
        <translation>Hạn gần nhất trước</translation>
    </message>
    <message>
        <source>Any type</source>
        <translation>Mọi loại văn bản</translation>
    </message>
    <message>
        <source>Any agency</source>
        <translation>Mọi cơ quan</translation>
    </message>
</context>
<context>
    <name>AttendanceModel</name>
    <message>
        <source>Name</source>
        <translation>Họ và tên</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>Điểm danh</translation>
    </message>
    <message>
        <source>Absent: %1</source>
        <translation>Vắng mặt: %1</translation>
    </message>
    <message>
        <source>In the call</source>
        <translation>Đang trong cuộc họp trực tuyến</translation>
    </message>
    <message>
        <source>Checked in at %1</source>
        <translation>Đã điểm danh lúc %1</translation>
    </message>
    <message>
        <source>Represented by %1</source>
        <translation>Được %1 dự thay</translation>
    </message>
    <message>
        <source>Declined: %1</source>
        <translation>Từ chối: %1</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã nhận lời</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Chưa trả lời</translation>
    </message>
    <message>
        <source>%1 (for %2)</source>
        <translation>%1 (dự thay %2)</translation>
    </message>
</context>
<context>
    <name>AttendancePanel</name>
    <message>
        <source>Check in</source>
        <translation>Điểm danh</translation>
    </message>
    <message>
        <source>Reason for the absence</source>
        <translation>Lý do vắng mặt</translation>
    </message>
    <message>
        <source>Mark absent</source>
        <translation>Ghi vắng mặt</translation>
    </message>
    <message>
        <source>Present: %1 of %2</source>
        <translation>Có mặt: %1/%2</translation>
    </message>
</context>
<context>
    <name>BallotList</name>
    <message>
        <source>%1: %2 — signed by %3 (certificate not trusted)</source>
        <translation>%1: %2 — ký số bởi %3 (chứng thư số không được tin cậy)</translation>
    </message>
    <message>
        <source>%1: %2 — signed by %3</source>
        <translation>%1: %2 — ký số bởi %3</translation>
    </message>
    <message>
        <source>%1: %2 — not signed</source>
        <translation>%1: %2 — không ký số</translation>
    </message>
    <message>
        <source>Signed with a digital certificate: %1 of %2</source>
        <translation>Số phiếu có ký số: %1/%2</translation>
    </message>
    <message>
        <source>The certificate is not chained to a certification authority this computer trusts, or the signature does not match this choice: the name it gives is not proven.</source>
        <translation>Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực mà máy tính này tin cậy cấp, hoặc chữ ký không khớp với lựa chọn này: tên ghi trong chứng thư chưa được xác thực.</translation>
    </message>
    <message>
        <source>The server checked that this signature was made over this choice in this poll by the key of the certificate it names.</source>
        <translation>Máy chủ đã kiểm tra chữ ký số này được tạo cho đúng lựa chọn trong cuộc biểu quyết này bằng khóa của chứng thư số được nêu.</translation>
    </message>
</context>
<context>
    <name>CallBanner</name>
    <message>
        <source>Try again</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Connecting to the meeting…</source>
        <translation>Đang kết nối vào cuộc họp…</translation>
    </message>
    <message>
        <source>Connection lost. Reconnecting in {seconds} s…</source>
        <translation>Mất kết nối. Sẽ kết nối lại sau {seconds} giây…</translation>
    </message>
    <message>
        <source>Connection lost. Reconnecting…</source>
        <translation>Mất kết nối. Đang kết nối lại…</translation>
    </message>
    <message>
        <source>Could not join the meeting. {reason}</source>
        <translation>Không tham gia được cuộc họp. {reason}</translation>
    </message>
    <message>
        <source>You left the meeting.</source>
        <translation>Bạn đã rời cuộc họp.</translation>
    </message>
</context>
<context>
    <name>CallService</name>
    <message>
        <source>The camera stopped. Now using {name}.</source>
        <translation>Camera đã ngừng hoạt động. Đang dùng {name}.</translation>
    </message>
    <message>
        <source>The camera stopped. The call goes on without video.</source>
        <translation>Camera đã ngừng hoạt động. Cuộc gọi tiếp tục không có hình.</translation>
    </message>
    <message>
        <source>The microphone stopped. Now using {name}.</source>
        <translation>Micrô đã ngừng hoạt động. Đang dùng {name}.</translation>
    </message>
    <message>
        <source>The microphone stopped. The others cannot hear you.</source>
        <translation>Micrô đã ngừng hoạt động. Người khác không nghe được bạn.</translation>
    </message>
</context>
<context>
    <name>CallStage</name>
    <message>
        <source>Join the call</source>
        <translation>Tham gia cuộc gọi</translation>
    </message>
    <message>
        <source>Joining the call…</source>
        <translation>Đang tham gia cuộc gọi…</translation>
    </message>
    <message>
        <source>You left the call.</source>
        <translation>Bạn đã rời cuộc gọi.</translation>
    </message>
    <message>
        <source>Could not join the call. {reason}</source>
        <translation>Không tham gia được cuộc gọi. {reason}</translation>
    </message>
</context>
<context>
    <name>CallWidget</name>
    <message>
        <source>Participant</source>
        <translation>Người tham dự</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Bật micrô</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Tắt micrô</translation>
    </message>
    <message>
        <source>Turn the microphone on ({key})</source>
        <translation>Bật micrô ({key})</translation>
    </message>
    <message>
        <source>Turn the microphone off ({key})</source>
        <translation>Tắt micrô ({key})</translation>
    </message>
    <message>
        <source>Start video</source>
        <translation>Bật camera</translation>
    </message>
    <message>
        <source>Stop video</source>
        <translation>Tắt camera</translation>
    </message>
    <message>
        <source>Turn the camera on or off ({key})</source>
        <translation>Bật hoặc tắt camera ({key})</translation>
    </message>
    <message>
        <source>Stop sharing</source>
        <translation>Dừng chia sẻ</translation>
    </message>
    <message>
        <source>Share screen</source>
        <translation>Chia sẻ màn hình</translation>
    </message>
    <message>
        <source>Show your screen to the others ({key})</source>
        <translation>Cho mọi người xem màn hình của bạn ({key})</translation>
    </message>
    <message>
        <source>Screen sharing is not available on this computer</source>
        <translation>Máy tính này không chia sẻ màn hình được</translation>
    </message>
    <message>
        <source>Speaker view</source>
        <translation>Xem người đang nói</translation>
    </message>
    <message>
        <source>Grid view</source>
        <translation>Xem dạng lưới</translation>
    </message>
    <message>
        <source>Switch between the speaker and the grid layout ({key})</source>
        <translation>Chuyển giữa bố cục người đang nói và dạng lưới ({key})</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Người tham dự</translation>
    </message>
    <message>
        <source>Show who is in the call, muted or speaking, and their connection ({key})</source>
        <translation>Xem ai đang trong cuộc gọi, ai tắt micrô hay đang nói, và chất lượng kết nối của họ ({key})</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Thống kê</translation>
    </message>
    <message>
        <source>Show bitrate, frame rate and loss per participant ({key})</source>
        <translation>Xem tốc độ bit, tốc độ khung hình và tỉ lệ mất gói của từng người ({key})</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Rời cuộc họp</translation>
    </message>
    <message>
        <source>Leave the meeting ({key})</source>
        <translation>Rời cuộc họp ({key})</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>Toàn màn hình</translation>
    </message>
    <message>
        <source>Exit full screen</source>
        <translation>Thoát toàn màn hình</translation>
    </message>
    <message>
        <source>Back to the window ({key} or Esc)</source>
        <translation>Trở lại cửa sổ ({key} hoặc Esc)</translation>
    </message>
    <message>
        <source>Fill the screen ({key})</source>
        <translation>Hiển thị toàn màn hình ({key})</translation>
    </message>
    <message>
        <source>Page {page}/{pages}</source>
        <translation>Trang {page}/{pages}</translation>
    </message>
    <message>
        <source>The next page of participants ({key})</source>
        <translation>Trang tiếp theo của danh sách người tham dự ({key})</translation>
    </message>
    <message>
        <source>No microphone</source>
        <translation>Không có micrô</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>Không có camera</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Bạn</translation>
    </message>
</context>
<context>
    <name>ChatModel</name>
    <message>
        <source>(sending) %1</source>
        <translation>(đang gửi) %1</translation>
    </message>
    <message>
        <source>%1 → %2: %3</source>
        <translation>%1 → %2: %3</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>Load older messages</source>
        <translation>Xem tin nhắn cũ hơn</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Tất cả mọi người</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Nhập tin nhắn</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Gửi</translation>
    </message>
    <message>
        <source>The message could not be sent: %1</source>
        <translation>Không gửi được tin nhắn: %1</translation>
    </message>
</context>
<context>
    <name>ConclusionsPanel</name>
    <message>
        <source>The conclusion of this item</source>
        <translation>Kết luận của nội dung này</translation>
    </message>
    <message>
        <source>No conclusion yet</source>
        <translation>Chưa có kết luận</translation>
    </message>
    <message>
        <source>Save the conclusion</source>
        <translation>Lưu kết luận</translation>
    </message>
    <message>
        <source>Only you can read your note</source>
        <translation>Chỉ mình bạn đọc được ghi chú này</translation>
    </message>
    <message>
        <source>Save my note</source>
        <translation>Lưu ghi chú</translation>
    </message>
    <message>
        <source>Make the minutes</source>
        <translation>Lập biên bản</translation>
    </message>
    <message>
        <source>Open the minutes</source>
        <translation>Mở biên bản</translation>
    </message>
    <message>
        <source>Sign the minutes</source>
        <translation>Ký biên bản</translation>
    </message>
    <message>
        <source>Agenda</source>
        <translation>Chương trình họp</translation>
    </message>
    <message>
        <source>Conclusion</source>
        <translation>Kết luận</translation>
    </message>
    <message>
        <source>My note</source>
        <translation>Ghi chú của tôi</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>Biên bản</translation>
    </message>
    <message>
        <source>The minutes have not been made yet.</source>
        <translation>Chưa lập biên bản.</translation>
    </message>
    <message>
        <source>Waiting for the secretary's signature.</source>
        <translation>Đang chờ thư ký ký.</translation>
    </message>
    <message>
        <source>Waiting for the chair's signature.</source>
        <translation>Đang chờ người chủ trì ký.</translation>
    </message>
    <message>
        <source>Signed by the secretary and the chair.</source>
        <translation>Thư ký và người chủ trì đã ký.</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Đã lưu</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>HopDesk — unexpected error</source>
        <translation>HopDesk — lỗi không mong muốn</translation>
    </message>
    <message>
        <source>HopDesk ran into an unexpected problem. Your work has been kept where possible; if something no longer works, restart HopDesk. Please send the details below to your IT desk.</source>
        <translation>HopDesk gặp sự cố không mong muốn. Dữ liệu của bạn đã được giữ lại trong khả năng có thể; nếu có chức năng không còn hoạt động, hãy khởi động lại HopDesk. Vui lòng gửi thông tin chi tiết dưới đây cho bộ phận CNTT.</translation>
    </message>
    <message>
        <source>Log file: %1</source>
        <translation>Tệp nhật ký: %1</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Sao chép chi tiết</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Đã sao chép</translation>
    </message>
</context>
<context>
    <name>DeviceTestDialog</name>
    <message>
        <source>No camera will be used.</source>
        <translation>Sẽ không dùng camera.</translation>
    </message>
    <message>
        <source>Speak: the bar moves with your voice.</source>
        <translation>Hãy nói thử: thanh mức âm thay đổi theo giọng của bạn.</translation>
    </message>
    <message>
        <source>No microphone will be used.</source>
        <translation>Sẽ không dùng micrô.</translation>
    </message>
    <message>
        <source>Playing a test tone: can you hear it?</source>
        <translation>Đang phát âm thanh thử: bạn có nghe thấy không?</translation>
    </message>
    <message>
        <source>Done. If you heard nothing, pick another speaker.</source>
        <translation>Xong. Nếu không nghe thấy gì, hãy chọn loa khác.</translation>
    </message>
    <message>
        <source>This speaker cannot play sound.</source>
        <translation>Loa này không phát được âm thanh.</translation>
    </message>
    <message>
        <source>{name} is missing or in use by another program.</source>
        <translation>Không tìm thấy {name} hoặc thiết bị đang được chương trình khác sử dụng.</translation>
    </message>
    <message>
        <source>Test devices</source>
        <translation>Kiểm tra thiết bị</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>Camera:</translation>
    </message>
    <message>
        <source>Microphone:</source>
        <translation>Micrô:</translation>
    </message>
    <message>
        <source>Speaker:</source>
        <translation>Loa:</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>Không có camera</translation>
    </message>
    <message>
        <source>No microphone</source>
        <translation>Không có micrô</translation>
    </message>
    <message>
        <source>No camera was found on this computer.</source>
        <translation>Không tìm thấy camera nào trên máy tính này.</translation>
    </message>
    <message>
        <source>No microphone was found on this computer.</source>
        <translation>Không tìm thấy micrô nào trên máy tính này.</translation>
    </message>
    <message>
        <source>No speaker was found on this computer.</source>
        <translation>Không tìm thấy loa nào trên máy tính này.</translation>
    </message>
    <message>
        <source>Play a test tone</source>
        <translation>Phát âm thanh thử</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Xem trước</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>DocumentPane</name>
    <message>
        <source>This document has no file yet.</source>
        <translation>Văn bản này chưa có tệp.</translation>
    </message>
    <message>
        <source>Loading the document…</source>
        <translation>Đang tải văn bản…</translation>
    </message>
    <message>
        <source>The document cannot be shown: %1</source>
        <translation>Không hiển thị được văn bản: %1</translation>
    </message>
</context>
<context>
    <name>DocumentsModel</name>
    <message>
        <source>Urgency</source>
        <translation>Độ khẩn</translation>
    </message>
    <message>
        <source>Number/symbol</source>
        <translation>Số, ký hiệu</translation>
    </message>
    <message>
        <source>Issued on</source>
        <translation>Ngày ban hành</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Trích yếu</translation>
    </message>
    <message>
        <source>Issuing agency</source>
        <translation>Cơ quan ban hành</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Loại văn bản</translation>
    </message>
    <message>
        <source>In/out</source>
        <translation>Đến/đi</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <source>Action wanted</source>
        <translation>Yêu cầu</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Thường</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Khẩn</translation>
    </message>
    <message>
        <source>Very urgent</source>
        <translation>Thượng khẩn</translation>
    </message>
    <message>
        <source>Flash</source>
        <translation>Hỏa tốc</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Dự thảo</translation>
    </message>
    <message>
        <source>Drafting</source>
        <translation>Đang soạn thảo</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation>Chờ xem xét</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>Chờ phê duyệt</translation>
    </message>
    <message>
        <source>Awaiting signature</source>
        <translation>Chờ ký</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Đã phê duyệt</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Đã ký</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>Đã ban hành</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Bị trả lại</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Xử lý</translation>
    </message>
    <message>
        <source>Coordinate</source>
        <translation>Phối hợp</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Xem xét</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Phê duyệt</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Ký</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Văn bản đến</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Văn bản đi</translation>
    </message>
</context>
<context>
    <name>DocumentsView</name>
    <message>
        <source>Documents</source>
        <translation>Tài liệu</translation>
    </message>
    <message>
        <source>No documents.</source>
        <translation>Không có tài liệu nào.</translation>
    </message>
</context>
<context>
    <name>FloorCall</name>
    <message>
        <source>You have been invited to speak. Your microphone is on.</source>
        <translation>Bạn đã được mời phát biểu. Micrô của bạn đã được bật.</translation>
    </message>
    <message>
        <source>You have been invited to speak.</source>
        <translation>Bạn đã được mời phát biểu.</translation>
    </message>
</context>
<context>
    <name>FollowButton</name>
    <message>
        <source>Follow the presenter</source>
        <translation>Theo dõi người trình bày</translation>
    </message>
</context>
<context>
    <name>InboxView</name>
    <message>
        <source>Waiting for me</source>
        <translation>Văn bản chờ tôi xử lý</translation>
    </message>
    <message>
        <source>Nothing is waiting for you.</source>
        <translation>Không có văn bản nào chờ bạn xử lý.</translation>
    </message>
</context>
<context>
    <name>JoinLinkDialog</name>
    <message>
        <source>Meeting number %1 on %2.</source>
        <translation>Cuộc họp số %1 trên %2.</translation>
    </message>
    <message>
        <source>The meeting of room “%1” on %2.</source>
        <translation>Cuộc họp của phòng “%1” trên %2.</translation>
    </message>
    <message>
        <source>A guest link of %1: it opens in your web browser, which joins as a guest.</source>
        <translation>Liên kết khách mời của %1: liên kết sẽ mở trong trình duyệt web và tham gia với tư cách khách mời.</translation>
    </message>
    <message>
        <source>A call that sends your camera and microphone to the media server %1.</source>
        <translation>Cuộc gọi gửi hình ảnh camera và âm thanh micrô của bạn tới máy chủ truyền thông %1.</translation>
    </message>
    <message>
        <source>Join by link</source>
        <translation>Tham gia bằng liên kết</translation>
    </message>
    <message>
        <source>Paste the meeting link from the invitation: hopdesk://join…, the meeting's address on the office server, a guest link or a WHIP address.</source>
        <translation>Dán liên kết cuộc họp trong giấy mời: hopdesk://join…, địa chỉ cuộc họp trên máy chủ văn phòng, liên kết khách mời hoặc địa chỉ WHIP.</translation>
    </message>
    <message>
        <source>hopdesk://join?…</source>
        <translation>hopdesk://join?…</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Tham gia</translation>
    </message>
</context>
<context>
    <name>LinkCallWindow</name>
    <message>
        <source>Call — %1</source>
        <translation>Cuộc gọi — %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Connected</source>
        <translation>Đã kết nối</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Đang kết nối lại…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Mất kết nối</translation>
    </message>
    <message>
        <source>Connection to the office server</source>
        <translation>Kết nối tới máy chủ cơ quan</translation>
    </message>
    <message numerus="yes">
        <source>%n action(s) waiting to be sent</source>
        <translation>
            <numerusform>%n thao tác đang chờ gửi</numerusform></translation>
    </message>
    <message>
        <source>All changes sent</source>
        <translation>Đã gửi hết các thay đổi</translation>
    </message>
    <message>
        <source>HopDesk — paperless office</source>
        <translation>HopDesk — văn phòng không giấy</translation>
    </message>
    <message>
        <source>Meetings</source>
        <translation>Lịch họp</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Tài liệu</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>Đăng nhập với tên %1</translation>
    </message>
    <message>
        <source>&amp;HopDesk</source>
        <translation>&amp;HopDesk</translation>
    </message>
    <message>
        <source>&amp;Open file…</source>
        <translation>&amp;Mở tệp…</translation>
    </message>
    <message>
        <source>&amp;Join by link…</source>
        <translation>&amp;Tham gia bằng liên kết…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Làm mới</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Đăng &amp;xuất</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Trợ giúp</translation>
    </message>
    <message>
        <source>&amp;About HopDesk</source>
        <translation>&amp;Giới thiệu HopDesk</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>Phê duyệt</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Mở tệp</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>MeetingDetail</name>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Join the meeting room</source>
        <translation>Vào phòng họp</translation>
    </message>
    <message>
        <source>Attendees</source>
        <translation>Thành phần tham dự</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Nhận lời</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Từ chối</translation>
    </message>
    <message>
        <source>Reason for declining</source>
        <translation>Lý do từ chối</translation>
    </message>
    <message>
        <source>Send a deputy</source>
        <translation>Cử người dự thay</translation>
    </message>
    <message>
        <source>Double-click a paper, or press Enter, to read it.</source>
        <translation>Nhấp đúp vào tài liệu, hoặc nhấn Enter, để đọc.</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>Cuộc họp</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <source>Time: %1</source>
        <translation>Thời gian: %1</translation>
    </message>
    <message>
        <source>Place: %1</source>
        <translation>Địa điểm: %1</translation>
    </message>
    <message>
        <source>Chair: %1</source>
        <translation>Chủ trì: %1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>%n min</source>
        <translation>%n phút</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>MeetingRoom</name>
    <message>
        <source>Draft</source>
        <translation>Bản nháp</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Chưa bắt đầu</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Đang họp</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Đã kết thúc</translation>
    </message>
    <message>
        <source>Minutes approved</source>
        <translation>Đã duyệt biên bản</translation>
    </message>
    <message>
        <source>Chair</source>
        <translation>Chủ trì</translation>
    </message>
    <message>
        <source>Secretary</source>
        <translation>Thư ký</translation>
    </message>
    <message>
        <source>Delegate</source>
        <translation>Đại biểu</translation>
    </message>
    <message>
        <source>Guest</source>
        <translation>Khách mời</translation>
    </message>
    <message>
        <source>Bridge point</source>
        <translation>Điểm cầu</translation>
    </message>
    <message>
        <source>Speakers</source>
        <translation>Phát biểu</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Trò chuyện</translation>
    </message>
    <message>
        <source>Your microphone stays off until the chair gives you the floor</source>
        <translation>Micrô của bạn tắt cho đến khi chủ trì mời bạn phát biểu</translation>
    </message>
</context>
<context>
    <name>MeetingRoomWindow</name>
    <message>
        <source>Open the meeting</source>
        <translation>Bắt đầu cuộc họp</translation>
    </message>
    <message>
        <source>End the meeting</source>
        <translation>Kết thúc cuộc họp</translation>
    </message>
    <message>
        <source>I am in the hall</source>
        <translation>Tôi đã có mặt tại hội trường</translation>
    </message>
    <message>
        <source>Site mode</source>
        <translation>Chế độ điểm cầu</translation>
    </message>
    <message>
        <source>Full screen for the hall's screen: the speaker and the page (Esc leaves)</source>
        <translation>Toàn màn hình cho màn hình hội trường: người phát biểu và trang tài liệu (Esc để thoát)</translation>
    </message>
    <message>
        <source>Present on the stage</source>
        <translation>Trình bày tài liệu</translation>
    </message>
    <message>
        <source>Show the paper chosen in the agenda to everyone who follows you</source>
        <translation>Hiển thị tài liệu đã chọn trong chương trình họp cho những người theo dõi bạn</translation>
    </message>
    <message>
        <source>The call, or the paper being presented, appears here.</source>
        <translation>Cuộc gọi hoặc tài liệu đang trình bày sẽ hiện ở đây.</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>Điểm danh</translation>
    </message>
    <message>
        <source>Votes</source>
        <translation>Biểu quyết</translation>
    </message>
    <message>
        <source>Conclusions</source>
        <translation>Kết luận</translation>
    </message>
    <message>
        <source>Agenda</source>
        <translation>Chương trình họp</translation>
    </message>
    <message>
        <source>Choose a paper (a file) in the agenda first.</source>
        <translation>Hãy chọn một tài liệu (tệp) trong chương trình họp trước.</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation>Trạng thái: %1</translation>
    </message>
    <message>
        <source>Chair: %1</source>
        <translation>Chủ trì: %1</translation>
    </message>
</context>
<context>
    <name>MeetingsModel</name>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>Cuộc họp</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Địa điểm</translation>
    </message>
    <message>
        <source>Chair</source>
        <translation>Chủ trì</translation>
    </message>
    <message>
        <source>My attendance</source>
        <translation>Tham dự của tôi</translation>
    </message>
    <message>
        <source>Invited</source>
        <translation>Được mời</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Đã nhận lời</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Từ chối</translation>
    </message>
    <message>
        <source>Delegated</source>
        <translation>Cử người dự thay</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Đã điểm danh</translation>
    </message>
    <message>
        <source>%1–%2</source>
        <translation>%1–%2</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation>Hôm nay, %1</translation>
    </message>
    <message>
        <source>Tomorrow, %1</source>
        <translation>Ngày mai, %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Chairing</source>
        <translation>Chủ trì</translation>
    </message>
    <message>
        <source>Online: %1</source>
        <translation>Trực tuyến: %1</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
</context>
<context>
    <name>MeetingsView</name>
    <message>
        <source>Upcoming</source>
        <translation>Sắp tới</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Tuần</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hôm nay</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Meetings</source>
        <translation>Lịch họp</translation>
    </message>
    <message>
        <source>No meetings on this day.</source>
        <translation>Không có cuộc họp nào trong ngày này.</translation>
    </message>
    <message>
        <source>No meetings in this week.</source>
        <translation>Không có cuộc họp nào trong tuần này.</translation>
    </message>
    <message>
        <source>No meetings today or in the coming days.</source>
        <translation>Không có cuộc họp nào hôm nay và những ngày tới.</translation>
    </message>
</context>
<context>
    <name>NotesPanel</name>
    <message>
        <source>Undo</source>
        <translation>Hoàn tác</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Làm lại</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Sửa</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Something went wrong. The details are in the log file.</source>
        <translation>Đã xảy ra lỗi. Chi tiết được ghi trong tệp nhật ký.</translation>
    </message>
</context>
<context>
    <name>OpinionForms</name>
    <message>
        <source>Opinion forms</source>
        <translation>Phiếu lấy ý kiến</translation>
    </message>
</context>
<context>
    <name>PageView</name>
    <message>
        <source>This page could not be displayed.</source>
        <translation>Không hiển thị được trang này.</translation>
    </message>
</context>
<context>
    <name>PaperStage</name>
    <message>
        <source>No paper is being presented.</source>
        <translation>Chưa có tài liệu nào được trình bày.</translation>
    </message>
    <message>
        <source>Opening the paper…</source>
        <translation>Đang mở tài liệu…</translation>
    </message>
    <message>
        <source>The paper cannot be shown: {reason}</source>
        <translation>Không hiển thị được tài liệu: {reason}</translation>
    </message>
</context>
<context>
    <name>ParticipantsModel</name>
    <message>
        <source>Good connection</source>
        <translation>Kết nối tốt</translation>
    </message>
    <message>
        <source>Fair connection</source>
        <translation>Kết nối trung bình</translation>
    </message>
    <message>
        <source>Poor connection</source>
        <translation>Kết nối kém</translation>
    </message>
    <message>
        <source>Connection not measured yet</source>
        <translation>Chưa đo được chất lượng kết nối</translation>
    </message>
    <message>
        <source>speaking</source>
        <translation>đang nói</translation>
    </message>
    <message>
        <source>muted</source>
        <translation>micrô đang tắt</translation>
    </message>
    <message>
        <source>camera off</source>
        <translation>camera đang tắt</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>Người tham dự</translation>
    </message>
</context>
<context>
    <name>PhoneWaitDialog</name>
    <message>
        <source>Waiting for approval on the phone</source>
        <translation>Đang chờ xác nhận trên điện thoại</translation>
    </message>
    <message>
        <source>Cancel signing</source>
        <translation>Hủy ký</translation>
    </message>
    <message>
        <source>Open the signing app on your phone and approve the request (document %1 of %2).</source>
        <translation>Mở ứng dụng ký số trên điện thoại và xác nhận yêu cầu ký (văn bản %1/%2).</translation>
    </message>
    <message>
        <source>Time left: %1:%2</source>
        <translation>Thời gian còn lại: %1:%2</translation>
    </message>
    <message>
        <source>Approved. Signing the document…</source>
        <translation>Đã xác nhận. Đang ký văn bản…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
</context>
<context>
    <name>PollListModel</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
</context>
<context>
    <name>PollPanel</name>
    <message>
        <source>Not opened yet</source>
        <translation>Chưa mở biểu quyết</translation>
    </message>
    <message>
        <source>Voting</source>
        <translation>Đang biểu quyết</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Đã kết thúc</translation>
    </message>
    <message>
        <source>Secret ballot</source>
        <translation>Bỏ phiếu kín</translation>
    </message>
    <message>
        <source>Sign my vote with my digital certificate</source>
        <translation>Ký số phiếu biểu quyết bằng chứng thư số của tôi</translation>
    </message>
    <message>
        <source>Your ballot is signed with your key (key file or USB token) and everyone will see that you signed it.</source>
        <translation>Phiếu của bạn được ký bằng khóa của bạn (tệp khóa hoặc thiết bị ký số USB) và mọi người sẽ thấy phiếu đã được ký số.</translation>
    </message>
    <message>
        <source>Open the vote</source>
        <translation>Mở biểu quyết</translation>
    </message>
    <message>
        <source>Close the vote</source>
        <translation>Kết thúc biểu quyết</translation>
    </message>
    <message>
        <source>New vote</source>
        <translation>Tạo biểu quyết mới</translation>
    </message>
    <message>
        <source>One option per line; empty: Agree, Disagree, Abstain</source>
        <translation>Mỗi dòng một phương án; để trống: Tán thành, Không tán thành, Không biểu quyết</translation>
    </message>
    <message>
        <source>Voters may change their vote before the close</source>
        <translation>Cho phép thay đổi lựa chọn trước khi kết thúc</translation>
    </message>
    <message>
        <source>Show the results while voting</source>
        <translation>Hiện kết quả trong khi biểu quyết</translation>
    </message>
    <message>
        <source>Opinion form for members who are away</source>
        <translation>Phiếu lấy ý kiến cho thành viên vắng mặt</translation>
    </message>
    <message>
        <source>Create the vote</source>
        <translation>Tạo biểu quyết</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Nội dung biểu quyết</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Các phương án</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Hạn lấy ý kiến</translation>
    </message>
    <message>
        <source>%1 (until %2)</source>
        <translation>%1 (hạn đến %2)</translation>
    </message>
    <message>
        <source>Voted: %1 of %2</source>
        <translation>Đã biểu quyết: %1/%2</translation>
    </message>
    <message>
        <source>Signing your vote…</source>
        <translation>Đang ký số phiếu biểu quyết…</translation>
    </message>
    <message>
        <source>Your vote is waiting to be sent.</source>
        <translation>Phiếu của bạn đang chờ gửi.</translation>
    </message>
    <message>
        <source>You voted: %1</source>
        <translation>Bạn đã chọn: %1</translation>
    </message>
    <message>
        <source>You have voted. Your choice is secret: it is kept nowhere.</source>
        <translation>Bạn đã bỏ phiếu. Lựa chọn của bạn được giữ kín: không nơi nào lưu lại.</translation>
    </message>
    <message>
        <source>Sign your vote “%1” on: %2</source>
        <translation>Ký số phiếu “%1” cho nội dung: %2</translation>
    </message>
    <message>
        <source>Your vote was not sent: it could not be signed. You can vote again.</source>
        <translation>Phiếu của bạn chưa được gửi vì chưa ký số được. Bạn có thể biểu quyết lại.</translation>
    </message>
    <message>
        <source>%1: %2 (%3%)</source>
        <translation>%1: %2 phiếu (%3%)</translation>
    </message>
</context>
<context>
    <name>QtFrontend</name>
    <message>
        <source>The local cache was damaged and has been rebuilt. Your data on the server is safe; lists will reload.</source>
        <translation>Bộ nhớ đệm trên máy bị hỏng và đã được tạo lại. Dữ liệu trên máy chủ vẫn an toàn; các danh sách sẽ được tải lại.</translation>
    </message>
    <message>
        <source>New document assigned to you</source>
        <translation>Có văn bản mới giao cho bạn</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s) waiting for you</source>
        <translation>
            <numerusform>%n văn bản đang chờ bạn xử lý</numerusform></translation>
    </message>
    <message>
        <source>Meeting soon</source>
        <translation>Sắp đến giờ họp</translation>
    </message>
    <message>
        <source>%1 starts at %2.</source>
        <translation>%1 bắt đầu lúc %2.</translation>
    </message>
</context>
<context>
    <name>Reader</name>
    <message>
        <source>No document.</source>
        <translation>Chưa mở tài liệu.</translation>
    </message>
    <message>
        <source>My notes</source>
        <translation>Ghi chú của tôi</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>Chữ ký số</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>Chọn</translation>
    </message>
    <message>
        <source>Highlight</source>
        <translation>Tô sáng</translation>
    </message>
    <message>
        <source>Underline</source>
        <translation>Gạch chân</translation>
    </message>
    <message>
        <source>Strike out</source>
        <translation>Gạch ngang</translation>
    </message>
    <message>
        <source>Sticky note</source>
        <translation>Ghi chú dán</translation>
    </message>
    <message>
        <source>Draw</source>
        <translation>Vẽ tay</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Khung</translation>
    </message>
    <message>
        <source>Colour of new notes</source>
        <translation>Màu của ghi chú mới</translation>
    </message>
    <message>
        <source>Export notes into a copy…</source>
        <translation>Xuất ghi chú ra bản sao…</translation>
    </message>
    <message>
        <source>Import notes from a PDF…</source>
        <translation>Nhập ghi chú từ tệp PDF…</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>Mở tài liệu</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>%1 (notes).pdf</source>
        <translation>%1 (ghi chú).pdf</translation>
    </message>
    <message>
        <source>Export notes</source>
        <translation>Xuất ghi chú</translation>
    </message>
    <message numerus="yes">
        <source>%n note(s) exported to %1.</source>
        <translation>
            <numerusform>Đã xuất %n ghi chú ra %1.</numerusform></translation>
    </message>
    <message>
        <source>The notes could not be exported.</source>
        <translation>Không xuất được ghi chú.</translation>
    </message>
    <message>
        <source>Import notes</source>
        <translation>Nhập ghi chú</translation>
    </message>
    <message numerus="yes">
        <source>%n note(s) imported.</source>
        <translation>
            <numerusform>Đã nhập %n ghi chú.</numerusform></translation>
    </message>
    <message>
        <source>The notes could not be imported from that file.</source>
        <translation>Không nhập được ghi chú từ tệp đó.</translation>
    </message>
</context>
<context>
    <name>ReaderTab</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Downloading “%1”…</source>
        <translation>Đang tải “%1”…</translation>
    </message>
</context>
<context>
    <name>ReaderWindow</name>
    <message>
        <source>CONFIDENTIAL</source>
        <translation>MẬT</translation>
    </message>
    <message>
        <source>SECRET</source>
        <translation>TỐI MẬT</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>The download was cancelled.</source>
        <translation>Đã hủy tải xuống.</translation>
    </message>
    <message>
        <source>HopDesk — documents</source>
        <translation>HopDesk — tài liệu</translation>
    </message>
    <message>
        <source>This document has no file yet.</source>
        <translation>Văn bản này chưa có tệp.</translation>
    </message>
    <message>
        <source>The file %1 no longer exists.</source>
        <translation>Tệp %1 không còn tồn tại.</translation>
    </message>
</context>
<context>
    <name>RecipientPicker</name>
    <message>
        <source>Search people or units</source>
        <translation>Tìm người hoặc đơn vị</translation>
    </message>
    <message>
        <source>No unit</source>
        <translation>Chưa thuộc đơn vị</translation>
    </message>
</context>
<context>
    <name>RecordView</name>
    <message>
        <source>Filter…</source>
        <translation>Lọc…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message numerus="yes">
        <source>(%n)</source>
        <translation>
            <numerusform>(%n)</numerusform></translation>
    </message>
</context>
<context>
    <name>ReplacedNotice</name>
    <message>
        <source>Open the new version</source>
        <translation>Mở bản mới</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>“%1” was replaced by a new version (version %2).</source>
        <translation>“%1” đã được thay bằng bản mới (phiên bản %2).</translation>
    </message>
</context>
<context>
    <name>ScreenPicker</name>
    <message>
        <source>Share screen</source>
        <translation>Chia sẻ màn hình</translation>
    </message>
    <message>
        <source>Choose what the others will see:</source>
        <translation>Chọn nội dung mọi người sẽ thấy:</translation>
    </message>
    <message>
        <source>Screen {number}: {name} ({width}×{height})</source>
        <translation>Màn hình {number}: {name} ({width}×{height})</translation>
    </message>
    <message>
        <source>Window: {title}</source>
        <translation>Cửa sổ: {title}</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Chia sẻ</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <source>Search</source>
        <translation>Tìm kiếm</translation>
    </message>
    <message>
        <source>Match diacritics</source>
        <translation>Phân biệt dấu</translation>
    </message>
    <message>
        <source>When off, "quyet dinh" also finds "quyết định".</source>
        <translation>Khi tắt, "quyet dinh" cũng tìm thấy "quyết định".</translation>
    </message>
    <message>
        <source>Match case</source>
        <translation>Phân biệt chữ hoa/thường</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Tiếp</translation>
    </message>
    <message>
        <source>Searching… %1 of %2 pages, %3 found</source>
        <translation>Đang tìm… %1/%2 trang, tìm thấy %3</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>Không tìm thấy</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n kết quả</numerusform></translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <source>p. %1: %2</source>
        <translation>tr. %1: %2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Ngôn ngữ:</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>Địa chỉ máy chủ:</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>Máy chủ proxy:</translation>
    </message>
    <message>
        <source>Media server:</source>
        <translation>Máy chủ truyền hình:</translation>
    </message>
    <message>
        <source>STUN/TURN servers:</source>
        <translation>Máy chủ STUN/TURN:</translation>
    </message>
    <message>
        <source>Update channel:</source>
        <translation>Kênh cập nhật:</translation>
    </message>
    <message>
        <source>USB token driver (PKCS#11):</source>
        <translation>Trình điều khiển USB token (PKCS#11):</translation>
    </message>
    <message>
        <source>Remote signing service:</source>
        <translation>Dịch vụ ký số từ xa:</translation>
    </message>
    <message>
        <source>Remote signing address:</source>
        <translation>Địa chỉ dịch vụ ký số từ xa:</translation>
    </message>
    <message>
        <source>Remote signing account:</source>
        <translation>Tài khoản ký số từ xa:</translation>
    </message>
    <message>
        <source>Remote signing certificate (credential ID):</source>
        <translation>Chứng thư ký số từ xa (mã credential):</translation>
    </message>
    <message>
        <source>Stable</source>
        <translation>Ổn định</translation>
    </message>
    <message>
        <source>Long-term support</source>
        <translation>Hỗ trợ dài hạn</translation>
    </message>
    <message>
        <source>Beta (try new features first)</source>
        <translation>Thử nghiệm (dùng trước tính năng mới)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Không dùng</translation>
    </message>
    <message>
        <source>CSC API (Viettel MySign…)</source>
        <translation>Giao thức CSC (Viettel MySign…)</translation>
    </message>
    <message>
        <source>Send the hash, then wait (VNPT SmartCA, FPT CA)</source>
        <translation>Gửi mã băm rồi chờ xác nhận (VNPT SmartCA, FPT CA)</translation>
    </message>
    <message>
        <source>Remote signing access token:</source>
        <translation>Mã truy cập dịch vụ ký số từ xa:</translation>
    </message>
    <message>
        <source>Kept in the system keyring</source>
        <translation>Lưu trong kho khóa của hệ điều hành</translation>
    </message>
    <message>
        <source>Set by your organisation's policy</source>
        <translation>Do chính sách của cơ quan bạn thiết lập</translation>
    </message>
    <message>
        <source>The demo server HopDesk started on this computer</source>
        <translation>Máy chủ trình diễn do HopDesk khởi chạy trên máy tính này</translation>
    </message>
    <message>
        <source>Language changes apply at once. Greyed-out values are set by your organisation's policy.</source>
        <translation>Thay đổi ngôn ngữ có hiệu lực ngay. Các giá trị bị làm mờ do chính sách của cơ quan thiết lập.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Test camera, microphone and speaker…</source>
        <translation>Kiểm tra camera, micrô và loa…</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>Sign</source>
        <translation>Ký</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s) to sign</source>
        <translation>
            <numerusform>%n văn bản cần ký</numerusform></translation>
    </message>
    <message>
        <source>Key file (PKCS#12)</source>
        <translation>Tệp khóa (PKCS#12)</translation>
    </message>
    <message>
        <source>USB token (PKCS#11)</source>
        <translation>Thiết bị ký số USB (PKCS#11)</translation>
    </message>
    <message>
        <source>Remote signing (phone)</source>
        <translation>Ký số từ xa (điện thoại)</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Khóa ký</translation>
    </message>
    <message>
        <source>Set by your organisation's policy</source>
        <translation>Do chính sách của cơ quan bạn thiết lập</translation>
    </message>
    <message>
        <source>Read the token</source>
        <translation>Đọc thiết bị ký số</translation>
    </message>
    <message>
        <source>Token driver</source>
        <translation>Trình điều khiển thiết bị</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>Chứng thư số</translation>
    </message>
    <message>
        <source>No remote signing service is set up. Set it up in Settings.</source>
        <translation>Chưa thiết lập dịch vụ ký số từ xa. Vui lòng thiết lập trong phần Cài đặt.</translation>
    </message>
    <message>
        <source>Signing service</source>
        <translation>Dịch vụ ký số</translation>
    </message>
    <message>
        <source>Signature image</source>
        <translation>Ảnh chữ ký</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Mã PIN</translation>
    </message>
    <message>
        <source>Reading the token…</source>
        <translation>Đang đọc thiết bị ký số…</translation>
    </message>
    <message>
        <source>No certificate was found on the token.</source>
        <translation>Không tìm thấy chứng thư số nào trên thiết bị ký số.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>Chọn tệp</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to HopDesk</source>
        <translation>Đăng nhập HopDesk</translation>
    </message>
    <message>
        <source>Sign in with the account your office gave you.</source>
        <translation>Đăng nhập bằng tài khoản do cơ quan cấp cho bạn.</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Máy chủ:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Tên đăng nhập:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Mật khẩu:</translation>
    </message>
    <message>
        <source>Remember me on this computer</source>
        <translation>Ghi nhớ đăng nhập trên máy này</translation>
    </message>
    <message>
        <source>Cannot remember you: the system keyring is unavailable (%1).</source>
        <translation>Không thể ghi nhớ đăng nhập: kho khóa của hệ thống không khả dụng (%1).</translation>
    </message>
    <message>
        <source>no keyring</source>
        <translation>không có kho khóa</translation>
    </message>
    <message>
        <source>Set by your organisation's policy</source>
        <translation>Do chính sách của cơ quan bạn thiết lập</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Đang đăng nhập…</translation>
    </message>
</context>
<context>
    <name>SignatureListModel</name>
    <message>
        <source>Unknown signer</source>
        <translation>Không rõ người ký</translation>
    </message>
    <message>
        <source>{signer} — {time}
{status}
{trust}</source>
        <translation>{signer} — {time}
{status}
{trust}</translation>
    </message>
</context>
<context>
    <name>SignaturesPanel</name>
    <message>
        <source>No document.</source>
        <translation>Chưa mở tài liệu.</translation>
    </message>
    <message>
        <source>Checking signatures…</source>
        <translation>Đang kiểm tra chữ ký…</translation>
    </message>
    <message>
        <source>This document has no digital signatures.</source>
        <translation>Tài liệu này không có chữ ký số.</translation>
    </message>
    <message>
        <source>Warning: the document was modified after signing.</source>
        <translation>Cảnh báo: tài liệu đã bị sửa đổi sau khi ký.</translation>
    </message>
    <message numerus="yes">
        <source>%n signature(s).</source>
        <translation>
            <numerusform>%n chữ ký.</numerusform></translation>
    </message>
</context>
<context>
    <name>SigningFlow</name>
    <message>
        <source>%n document(s) signed.</source>
        <translation>Đã ký %n văn bản.</translation>
    </message>
    <message>
        <source>The document was issued.</source>
        <translation>Văn bản đã được phát hành.</translation>
    </message>
    <message>
        <source>Document %1 was issued as number %2 but not yet signed with the agency's seal. Sign it now.</source>
        <translation>Văn bản %1 đã được phát hành với số %2 nhưng chưa ký số của cơ quan. Vui lòng ký ngay.</translation>
    </message>
    <message>
        <source>The issued document was signed with the agency's seal.</source>
        <translation>Văn bản đã phát hành đã được ký số của cơ quan.</translation>
    </message>
</context>
<context>
    <name>SpeakPanel</name>
    <message>
        <source>Request to speak</source>
        <translation>Xin phát biểu</translation>
    </message>
    <message>
        <source>Withdraw request</source>
        <translation>Rút đăng ký</translation>
    </message>
    <message>
        <source>Give the floor</source>
        <translation>Mời phát biểu</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Mời người tiếp theo</translation>
    </message>
    <message>
        <source>End turn</source>
        <translation>Kết thúc lượt</translation>
    </message>
    <message>
        <source>Lower</source>
        <translation>Hạ đăng ký</translation>
    </message>
    <message>
        <source>Lower all</source>
        <translation>Hạ tất cả</translation>
    </message>
    <message>
        <source>Delegates stay muted until given the floor</source>
        <translation>Đại biểu tắt micrô đến khi được mời phát biểu</translation>
    </message>
    <message>
        <source>Speaking now: %1</source>
        <translation>Đang phát biểu: %1</translation>
    </message>
    <message>
        <source>Nobody has the floor</source>
        <translation>Chưa có ai phát biểu</translation>
    </message>
    <message>
        <source>You have the floor</source>
        <translation>Bạn đang được mời phát biểu</translation>
    </message>
    <message>
        <source>Your place: %1</source>
        <translation>Vị trí của bạn: %1</translation>
    </message>
    <message>
        <source>Sending your request…</source>
        <translation>Đang gửi đăng ký…</translation>
    </message>
</context>
<context>
    <name>SpeakQueueModel</name>
    <message>
        <source>Speaking: %1</source>
        <translation>Đang phát biểu: %1</translation>
    </message>
</context>
<context>
    <name>StatsModel</name>
    <message>
        <source>Participant</source>
        <translation>Người tham dự</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Nhận</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gửi</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>Tốc độ khung hình</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Độ phân giải</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Độ trễ khứ hồi</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Mất gói</translation>
    </message>
    <message>
        <source>{ms} ms</source>
        <translation>{ms} ms</translation>
    </message>
    <message>
        <source>{kbps} kbit/s</source>
        <translation>{kbps} kbit/s</translation>
    </message>
    <message>
        <source>{fps} fps</source>
        <translation>{fps} hình/giây</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Show HopDesk</source>
        <translation>Hiện HopDesk</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Đăng xuất</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
</context>
<context>
    <name>VideoTile</name>
    <message>
        <source>Unpin</source>
        <translation>Bỏ ghim</translation>
    </message>
    <message>
        <source>Pin to the big tile</source>
        <translation>Ghim vào ô lớn</translation>
    </message>
    <message>
        <source>Double-click or right-click to unpin</source>
        <translation>Nhấp đúp hoặc nhấp chuột phải để bỏ ghim</translation>
    </message>
    <message>
        <source>Double-click or right-click to pin to the big tile</source>
        <translation>Nhấp đúp hoặc nhấp chuột phải để ghim vào ô lớn</translation>
    </message>
    <message>
        <source>Good connection</source>
        <translation>Kết nối tốt</translation>
    </message>
    <message>
        <source>Fair connection</source>
        <translation>Kết nối trung bình</translation>
    </message>
    <message>
        <source>Poor connection</source>
        <translation>Kết nối kém</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>Đã ghim</translation>
    </message>
    <message>
        <source>Mic off</source>
        <translation>Micrô đang tắt</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>Camera đang tắt</translation>
    </message>
</context>
<context>
    <name>ViewerWidget</name>
    <message>
        <source>This file is damaged and was repaired to show it: some content may be missing or blank. Ask the sender for an intact copy if it matters.</source>
        <translation>Tệp này bị hỏng và đã được sửa để hiển thị: có thể thiếu hoặc trắng một phần nội dung. Nếu nội dung quan trọng, hãy xin người gửi một bản nguyên vẹn.</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Trang</translation>
    </message>
    <message>
        <source>Bookmarks</source>
        <translation>Mục lục</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Tìm kiếm</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Mở…</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Tiến tới</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>Vừa chiều rộng</translation>
    </message>
    <message>
        <source>Fit page</source>
        <translation>Vừa trang</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Single page</source>
        <translation>Từng trang</translation>
    </message>
    <message>
        <source>Continuous</source>
        <translation>Liên tục</translation>
    </message>
    <message>
        <source>Two pages</source>
        <translation>Hai trang</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Thu nhỏ</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Phóng to</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>Xoay</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Tìm</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>Trình chiếu</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>In…</translation>
    </message>
    <message>
        <source>Next match</source>
        <translation>Kết quả tiếp</translation>
    </message>
    <message>
        <source>Previous match</source>
        <translation>Kết quả trước</translation>
    </message>
    <message>
        <source>Go to page</source>
        <translation>Đến trang</translation>
    </message>
    <message>
        <source>Opening the document…</source>
        <translation>Đang mở tài liệu…</translation>
    </message>
    <message>
        <source>of %1</source>
        <translation>trên %1</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>Mở tài liệu</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Wrong password. Enter the password for %1:</source>
        <translation>Sai mật khẩu. Nhập mật khẩu của %1:</translation>
    </message>
    <message>
        <source>Enter the password for %1:</source>
        <translation>Nhập mật khẩu của %1:</translation>
    </message>
    <message>
        <source>Password required</source>
        <translation>Cần mật khẩu</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>Đang in</translation>
    </message>
    <message>
        <source>Preparing the pages…</source>
        <translation>Đang chuẩn bị các trang…</translation>
    </message>
    <message>
        <source>Printed page %1 of %2</source>
        <translation>Đã in trang %1/%2</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something went wrong. The details are in the log file.</source>
        <translation>Đã xảy ra lỗi. Chi tiết được ghi trong tệp nhật ký.</translation>
    </message>
    <message>
        <source>The secure connection to %1 failed: %2. Ask your IT department to check the server certificate, or to trust your organisation's certificate authority by machine policy.</source>
        <translation>Kết nối bảo mật tới %1 không thành công: %2. Hãy đề nghị bộ phận CNTT kiểm tra chứng thư số của máy chủ, hoặc đặt tổ chức cấp chứng thư số của cơ quan bạn làm nguồn tin cậy bằng chính sách máy.</translation>
    </message>
    <message>
        <source>The server sent data this version of HopDesk cannot read. HopDesk may need an update; the details are in the log file.</source>
        <translation>Máy chủ gửi dữ liệu mà phiên bản HopDesk này không đọc được. Có thể cần cập nhật HopDesk; chi tiết được ghi trong tệp nhật ký.</translation>
    </message>
    <message>
        <source>The user name or password is wrong.</source>
        <translation>Tên đăng nhập hoặc mật khẩu không đúng.</translation>
    </message>
    <message>
        <source>Your session has ended. Please sign in again.</source>
        <translation>Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.</translation>
    </message>
    <message>
        <source>You are not signed in. Please sign in first.</source>
        <translation>Bạn chưa đăng nhập. Vui lòng đăng nhập trước.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1 (%2). Check the address and your network.</source>
        <translation>Không kết nối được tới máy chủ %1 (%2). Hãy kiểm tra địa chỉ và mạng của bạn.</translation>
    </message>
    <message>
        <source>The address %1 does not answer like a HopDesk server (%2). Check the address.</source>
        <translation>Địa chỉ %1 không phản hồi như một máy chủ HopDesk (%2). Hãy kiểm tra lại địa chỉ.</translation>
    </message>
    <message>
        <source>“%1” is not a valid server address. Use an address like https://server.gov.vn.</source>
        <translation>“%1” không phải là địa chỉ máy chủ hợp lệ. Hãy dùng địa chỉ dạng https://server.gov.vn.</translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation>Bạn không có quyền thực hiện thao tác này.</translation>
    </message>
    <message>
        <source>This item no longer exists or you can no longer see it.</source>
        <translation>Mục này không còn tồn tại hoặc bạn không còn quyền xem.</translation>
    </message>
    <message>
        <source>This is too large to send to the server.</source>
        <translation>Dữ liệu quá lớn để gửi lên máy chủ.</translation>
    </message>
    <message>
        <source>The server refused the request: %1</source>
        <translation>Máy chủ từ chối yêu cầu: %1</translation>
    </message>
    <message>
        <source>Too many failed attempts. Try again in %1 minutes.</source>
        <translation>Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %1 phút.</translation>
    </message>
    <message>
        <source>HopDesk cannot remember you on this computer: %1</source>
        <translation>HopDesk không thể ghi nhớ đăng nhập trên máy này: %1</translation>
    </message>
    <message>
        <source>The file “%1” is not available to you: it was removed, or you may no longer see it.</source>
        <translation>Tệp “%1” không còn dành cho bạn: tệp đã bị gỡ bỏ hoặc bạn không còn quyền xem.</translation>
    </message>
    <message>
        <source>The file “%1” arrived damaged and was not opened. Try again; if it happens again, tell your IT department.</source>
        <translation>Tệp “%1” tải về bị hỏng nên không được mở. Hãy thử lại; nếu vẫn lỗi, hãy báo bộ phận CNTT.</translation>
    </message>
    <message>
        <source>HopDesk cannot save files in %1 (%2).</source>
        <translation>HopDesk không lưu được tệp vào %1 (%2).</translation>
    </message>
    <message>
        <source>There is not enough free disk space in %1 to save this file. Free some space and try again.</source>
        <translation>Ổ đĩa chứa %1 không đủ dung lượng trống để lưu tệp này. Hãy giải phóng bớt dung lượng rồi thử lại.</translation>
    </message>
    <message>
        <source>The server had an internal error (%1). Try again later.</source>
        <translation>Máy chủ gặp lỗi nội bộ (%1). Vui lòng thử lại sau.</translation>
    </message>
    <message>
        <source>Too many failed attempts. Try again in %1 seconds.</source>
        <translation>Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %1 giây.</translation>
    </message>
</context>
<context>
    <name>join_link</name>
    <message>
        <source>This meeting is on the server %1, but you are signed in to %2. Sign in to %1 to join it.</source>
        <translation>Cuộc họp này ở máy chủ %1, nhưng bạn đang đăng nhập vào %2. Hãy đăng nhập vào %1 để tham gia.</translation>
    </message>
    <message>
        <source>None of your meetings in the schedule uses the room in this link.</source>
        <translation>Không cuộc họp nào trong lịch của bạn dùng phòng trong liên kết này.</translation>
    </message>
    <message>
        <source>Paste a meeting link.</source>
        <translation>Hãy dán liên kết cuộc họp.</translation>
    </message>
    <message>
        <source>This text is too long to be a meeting link.</source>
        <translation>Đoạn văn bản này quá dài, không thể là liên kết cuộc họp.</translation>
    </message>
    <message>
        <source>This is not a link.</source>
        <translation>Đây không phải là liên kết.</translation>
    </message>
    <message>
        <source>This link does not lead to a meeting. Use the link from the invitation (hopdesk://join…, the meeting's address on the office server, a guest link or a WHIP address).</source>
        <translation>Liên kết này không dẫn tới cuộc họp nào. Hãy dùng liên kết trong giấy mời (hopdesk://join…, địa chỉ cuộc họp trên máy chủ văn phòng, liên kết khách mời hoặc địa chỉ WHIP).</translation>
    </message>
    <message>
        <source>The server address in this link is not valid.</source>
        <translation>Địa chỉ máy chủ trong liên kết này không hợp lệ.</translation>
    </message>
    <message>
        <source>This link hides a user name or password in its address and is not safe to open.</source>
        <translation>Liên kết này giấu tên người dùng hoặc mật khẩu trong địa chỉ, mở ra không an toàn.</translation>
    </message>
    <message>
        <source>The meeting in this link is not valid.</source>
        <translation>Cuộc họp trong liên kết này không hợp lệ.</translation>
    </message>
    <message>
        <source>The access code in this link is not valid.</source>
        <translation>Mã truy cập trong liên kết này không hợp lệ.</translation>
    </message>
    <message>
        <source>This link gives the same setting twice and is ambiguous.</source>
        <translation>Liên kết này ghi cùng một tham số hai lần nên không rõ ràng.</translation>
    </message>
</context>
<context>
    <name>media</name>
    <message>
        <source>The call failed.</source>
        <translation>Cuộc gọi không thành công.</translation>
    </message>
    <message>
        <source>The meeting server cannot be reached or sent an invalid reply.</source>
        <translation>Không kết nối được máy chủ cuộc họp hoặc máy chủ trả lời không hợp lệ.</translation>
    </message>
    <message>
        <source>The meeting server did not let you into this call.</source>
        <translation>Máy chủ cuộc họp không cho phép bạn tham gia cuộc gọi này.</translation>
    </message>
    <message>
        <source>The video room of this meeting did not accept its PIN. Ask the meeting's organiser to check the meeting's video settings.</source>
        <translation>Phòng truyền hình của cuộc họp không nhận mã PIN của cuộc họp. Xin người tổ chức kiểm tra lại cấu hình truyền hình của cuộc họp.</translation>
    </message>
    <message>
        <source>No network path to the other participants; check the network or TURN.</source>
        <translation>Không có đường truyền mạng tới các đại biểu khác; hãy kiểm tra mạng hoặc máy chủ TURN.</translation>
    </message>
    <message>
        <source>The camera or microphone is missing or in use by another program.</source>
        <translation>Không tìm thấy camera hoặc micrô, hoặc thiết bị đang được chương trình khác sử dụng.</translation>
    </message>
    <message>
        <source>The camera {name} is missing or in use by another program.</source>
        <translation>Không tìm thấy camera {name} hoặc camera đang được chương trình khác sử dụng.</translation>
    </message>
    <message>
        <source>The microphone {name} is missing or in use by another program.</source>
        <translation>Không tìm thấy micrô {name} hoặc micrô đang được chương trình khác sử dụng.</translation>
    </message>
    <message>
        <source>No camera or microphone: you join to watch and listen only.</source>
        <translation>Không có camera và micrô: bạn tham gia chỉ để xem và nghe.</translation>
    </message>
    <message>
        <source>No camera: you join with audio only.</source>
        <translation>Không có camera: bạn tham gia chỉ bằng âm thanh.</translation>
    </message>
    <message>
        <source>No microphone: the others cannot hear you.</source>
        <translation>Không có micrô: người khác sẽ không nghe được bạn.</translation>
    </message>
</context>
<context>
    <name>secrets</name>
    <message>
        <source>no system keyring was found on this computer</source>
        <translation>không tìm thấy kho khóa hệ thống trên máy này</translation>
    </message>
    <message>
        <source>the system keyring has been turned off</source>
        <translation>kho khóa hệ thống đã bị tắt</translation>
    </message>
    <message>
        <source>the system keyring refused to store the sign-in (%1)</source>
        <translation>kho khóa hệ thống từ chối lưu thông tin đăng nhập (%1)</translation>
    </message>
</context>
<context>
    <name>session</name>
    <message>
        <source>Your session has ended (signed out elsewhere or expired). Please sign in again.</source>
        <translation>Phiên làm việc đã kết thúc (đã đăng xuất ở nơi khác hoặc hết hạn). Vui lòng đăng nhập lại.</translation>
    </message>
    <message>
        <source>Your saved sign-in is no longer available. Please sign in again.</source>
        <translation>Thông tin đăng nhập đã lưu không còn nữa. Vui lòng đăng nhập lại.</translation>
    </message>
    <message>
        <source>Wrong passwords typed for your account since your last sign-in: %1; the last one at %2 from %3. If it was not you, tell your IT administrator.</source>
        <translation>%1 lần đăng nhập sai kể từ lần đăng nhập trước; lần gần nhất lúc %2 từ địa chỉ %3. Nếu không phải bạn, hãy báo cho quản trị hệ thống.</translation>
    </message>
</context>
<context>
    <name>signing</name>
    <message>
        <source>The document could not be signed. The details are in the log file.</source>
        <translation>Không ký được văn bản. Chi tiết có trong tệp nhật ký.</translation>
    </message>
    <message>
        <source>Wrong PIN. One try is left: one more wrong PIN locks the token.</source>
        <translation>Sai mã PIN. Chỉ còn một lần thử: nhập sai thêm một lần nữa thiết bị ký số sẽ bị khóa.</translation>
    </message>
    <message>
        <source>Wrong PIN. Few tries are left before the token locks.</source>
        <translation>Sai mã PIN. Chỉ còn ít lần thử trước khi thiết bị ký số bị khóa.</translation>
    </message>
    <message>
        <source>Wrong PIN. Check it and try again.</source>
        <translation>Sai mã PIN. Vui lòng kiểm tra và thử lại.</translation>
    </message>
    <message>
        <source>The token is locked after too many wrong PINs. Contact your certificate authority to unlock it.</source>
        <translation>Thiết bị ký số đã bị khóa do nhập sai mã PIN quá nhiều lần. Vui lòng liên hệ tổ chức cung cấp chứng thư số để mở khóa.</translation>
    </message>
    <message>
        <source>The signing token is not available. Plug it in and try again.</source>
        <translation>Không tìm thấy thiết bị ký số. Vui lòng cắm thiết bị và thử lại.</translation>
    </message>
    <message>
        <source>The token driver stopped working. The signature was not made; try again.</source>
        <translation>Trình điều khiển thiết bị ký số đã ngừng hoạt động. Văn bản chưa được ký; vui lòng thử lại.</translation>
    </message>
    <message>
        <source>The timestamp server did not answer. Try again later or sign without a timestamp.</source>
        <translation>Máy chủ cấp dấu thời gian không phản hồi. Vui lòng thử lại sau hoặc ký không kèm dấu thời gian.</translation>
    </message>
    <message>
        <source>The PDF is encrypted, so it cannot be signed.</source>
        <translation>Tệp PDF đã được mã hóa nên không thể ký.</translation>
    </message>
    <message>
        <source>The PDF is damaged, so it cannot be signed.</source>
        <translation>Tệp PDF bị hỏng nên không thể ký.</translation>
    </message>
    <message>
        <source>The document has no signature places yet: submit it for signature first.</source>
        <translation>Văn bản chưa có vị trí ký: vui lòng trình ký trước.</translation>
    </message>
    <message>
        <source>The document changed after it was given to you, so it was not signed. Open it again to read the current version.</source>
        <translation>Văn bản đã thay đổi sau khi được giao cho bạn nên chưa được ký. Vui lòng mở lại để đọc phiên bản hiện tại.</translation>
    </message>
    <message>
        <source>The leader has not signed yet: the agency signs after the leader.</source>
        <translation>Lãnh đạo chưa ký: chữ ký của cơ quan chỉ được thực hiện sau chữ ký của lãnh đạo.</translation>
    </message>
    <message>
        <source>The server has not issued the document yet (no number): the agency signs once it has.</source>
        <translation>Máy chủ chưa phát hành văn bản (chưa có số): cơ quan chỉ ký số sau khi văn bản đã được phát hành.</translation>
    </message>
    <message>
        <source>The certificate expired on %1: it can no longer sign.</source>
        <translation>Chứng thư số đã hết hạn ngày %1: không thể dùng để ký.</translation>
    </message>
    <message>
        <source>The certificate is valid only from %1: it cannot sign yet.</source>
        <translation>Chứng thư số chỉ có hiệu lực từ ngày %1: chưa thể dùng để ký.</translation>
    </message>
    <message>
        <source>The certificate is not made for signing documents (its key usage does not allow it).</source>
        <translation>Chứng thư số không dùng để ký văn bản (mục đích sử dụng khóa không cho phép).</translation>
    </message>
    <message>
        <source>The certificate was revoked on %1: it can no longer sign.</source>
        <translation>Chứng thư số đã bị thu hồi ngày %1: không thể dùng để ký.</translation>
    </message>
    <message>
        <source>The certificate was not issued by a trusted certification authority.</source>
        <translation>Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực tin cậy cấp.</translation>
    </message>
    <message>
        <source>The remote signing service could not sign the document. The details are in the log file.</source>
        <translation>Dịch vụ ký số từ xa không ký được văn bản. Chi tiết có trong tệp nhật ký.</translation>
    </message>
    <message>
        <source>The remote signing service cannot be reached. Check the network and try again.</source>
        <translation>Không kết nối được dịch vụ ký số từ xa. Vui lòng kiểm tra kết nối mạng và thử lại.</translation>
    </message>
    <message>
        <source>HopDesk is not signed in to the remote signing service. Sign in to it in Settings and try again.</source>
        <translation>HopDesk chưa đăng nhập dịch vụ ký số từ xa. Vui lòng đăng nhập trong phần Cài đặt và thử lại.</translation>
    </message>
    <message>
        <source>No remote signing service is set up. Set it up in Settings.</source>
        <translation>Chưa thiết lập dịch vụ ký số từ xa. Vui lòng thiết lập trong phần Cài đặt.</translation>
    </message>
    <message>
        <source>The remote signing service has no signing certificate for this account.</source>
        <translation>Dịch vụ ký số từ xa không có chứng thư số để ký cho tài khoản này.</translation>
    </message>
    <message>
        <source>The remote signing service sent an answer HopDesk does not understand. The document was not signed.</source>
        <translation>Dịch vụ ký số từ xa trả lời không hợp lệ. Văn bản chưa được ký.</translation>
    </message>
    <message>
        <source>The signing request was refused on the phone. The document was not signed.</source>
        <translation>Yêu cầu ký đã bị từ chối trên điện thoại. Văn bản chưa được ký.</translation>
    </message>
    <message>
        <source>The signing request was not approved on the phone in time. The document was not signed; try again.</source>
        <translation>Yêu cầu ký không được xác nhận trên điện thoại kịp thời hạn. Văn bản chưa được ký; vui lòng thử lại.</translation>
    </message>
    <message>
        <source>Signing was cancelled. The document was not signed.</source>
        <translation>Đã hủy ký. Văn bản chưa được ký.</translation>
    </message>
</context>
<context>
    <name>viewer</name>
    <message>
        <source>Yellow</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>Xanh lá</translation>
    </message>
    <message>
        <source>Blue</source>
        <translation>Xanh dương</translation>
    </message>
    <message>
        <source>Pink</source>
        <translation>Hồng</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>Đỏ</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Text of the note:</source>
        <translation>Nội dung ghi chú:</translation>
    </message>
    <message>
        <source>Highlight</source>
        <translation>Tô sáng</translation>
    </message>
    <message>
        <source>Underline</source>
        <translation>Gạch chân</translation>
    </message>
    <message>
        <source>Strike-out</source>
        <translation>Gạch ngang</translation>
    </message>
    <message>
        <source>Drawing</source>
        <translation>Hình vẽ</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Khung</translation>
    </message>
    <message>
        <source>Page {page} · {excerpt}</source>
        <translation>Trang {page} · {excerpt}</translation>
    </message>
    <message>
        <source>Add {kind}</source>
        <translation>Thêm {kind}</translation>
    </message>
    <message>
        <source>Edit {kind}</source>
        <translation>Sửa {kind}</translation>
    </message>
    <message>
        <source>Delete {kind}</source>
        <translation>Xóa {kind}</translation>
    </message>
    <message>
        <source>Import notes</source>
        <translation>Nhập ghi chú</translation>
    </message>
    <message>
        <source>The note could not be saved: {error}</source>
        <translation>Không lưu được ghi chú: {error}</translation>
    </message>
    <message>
        <source>The document could not be opened.</source>
        <translation>Không mở được tài liệu.</translation>
    </message>
    <message>
        <source>The file no longer exists.</source>
        <translation>Tệp không còn tồn tại.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>Tệp rỗng.</translation>
    </message>
    <message>
        <source>The file is not a PDF document.</source>
        <translation>Tệp không phải là tài liệu PDF.</translation>
    </message>
    <message>
        <source>The document is damaged and cannot be displayed.</source>
        <translation>Tài liệu bị hỏng, không thể hiển thị.</translation>
    </message>
    <message>
        <source>The document has no pages.</source>
        <translation>Tài liệu không có trang nào.</translation>
    </message>
    <message>
        <source>The document is protected by a password that was not given.</source>
        <translation>Tài liệu được bảo vệ bằng mật khẩu nhưng chưa nhập mật khẩu.</translation>
    </message>
    <message>
        <source>The signer's certificate is issued by a trusted authority.</source>
        <translation>Chứng thư số của người ký do tổ chức tin cậy cấp.</translation>
    </message>
    <message>
        <source>The signer's certificate is not issued by a trusted authority.</source>
        <translation>Chứng thư số của người ký không do tổ chức tin cậy cấp.</translation>
    </message>
    <message>
        <source>unknown time</source>
        <translation>không rõ thời gian</translation>
    </message>
    <message>
        <source>{name} · {time}</source>
        <translation>{name} · {time}</translation>
    </message>
    <message>
        <source>{marking} · {line}</source>
        <translation>{marking} · {line}</translation>
    </message>
    <message>
        <source>The signature could not be checked.</source>
        <translation>Không kiểm tra được chữ ký.</translation>
    </message>
    <message>
        <source>The document was modified after signing: the signature no longer fits.</source>
        <translation>Tài liệu đã bị sửa đổi sau khi ký: chữ ký không còn khớp.</translation>
    </message>
    <message>
        <source>The signature is not valid.</source>
        <translation>Chữ ký không hợp lệ.</translation>
    </message>
    <message>
        <source>The document was modified after signing in a way that is not allowed.</source>
        <translation>Tài liệu đã bị sửa đổi sau khi ký theo cách không được phép.</translation>
    </message>
    <message>
        <source>The signature is valid; later changes (such as other signatures) are allowed.</source>
        <translation>Chữ ký hợp lệ; các thay đổi sau đó (như chữ ký khác) là được phép.</translation>
    </message>
    <message>
        <source>The signature is valid and the document has not been modified since.</source>
        <translation>Chữ ký hợp lệ và tài liệu chưa bị sửa đổi kể từ khi ký.</translation>
    </message>
    <message>
        <source>The file has signatures, but it is damaged: they cannot be checked.</source>
        <translation>Tệp có chữ ký số nhưng bị hỏng nên không kiểm tra được chữ ký.</translation>
    </message>
    <message>
        <source>The signatures could not be checked: the file is not a readable PDF.</source>
        <translation>Không kiểm tra được chữ ký: tệp không phải là PDF đọc được.</translation>
    </message>
    <message>
        <source>The signatures could not be checked: the file could not be read.</source>
        <translation>Không kiểm tra được chữ ký: không đọc được tệp.</translation>
    </message>
    <message>
        <source>The signatures could not be checked: the checker stopped unexpectedly.</source>
        <translation>Không kiểm tra được chữ ký: bộ kiểm tra dừng đột ngột.</translation>
    </message>
    <message>
        <source>The signatures could not be checked (%1).</source>
        <translation>Không kiểm tra được chữ ký (%1).</translation>
    </message>
    <message>
        <source>There are no pages to print.</source>
        <translation>Không có trang nào để in.</translation>
    </message>
    <message>
        <source>The printer could not be started.</source>
        <translation>Không khởi động được máy in.</translation>
    </message>
    <message>
        <source>Page {page} could not be prepared for printing; printing stopped.</source>
        <translation>Không chuẩn bị được trang {page} để in; việc in đã dừng.</translation>
    </message>
    <message>
        <source>The printer stopped after {done} of {total} pages.</source>
        <translation>Máy in đã dừng sau {done}/{total} trang.</translation>
    </message>
    <message>
        <source>The PDF renderer could not start (%1). Restart HopDesk.</source>
        <translation>Không khởi động được bộ hiển thị PDF (%1). Hãy khởi động lại HopDesk.</translation>
    </message>
</context>
</TS>