"""A feedback page's submissions in the admin, and their CSV and XLSX exports made safe to
open in a spreadsheet: whatever an earner typed stays text there, never a formula."""

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin.views.mixins import ExcelDateFormatter
from wagtail.contrib.forms.views import SubmissionsListView

# A spreadsheet reads a CSV cell that begins with one of these as a formula (tab and carriage
# return because some strip them first and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A leading apostrophe makes a cell that would be a formula plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def xlsx_text(value):
    """A workbook cannot hold most control characters (openpyxl refuses the whole export
    rather than write one): each becomes the replacement character."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


class FeedbackSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions listing; who may open it is decided in permissions.py."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return csv_text(value)
        return xlsx_text(value)

    def get_heading(self, queryset, field):
        # Headings are the questions' labels, which editors write. XLSX headings go through
        # preprocess_field_value in write_xlsx below; CSV ones are written as they come.
        heading = super().get_heading(queryset, field)
        if self.request.GET.get("export") == self.FORMAT_CSV:
            return csv_text(heading)
        return heading

    def write_xlsx(self, queryset, output):
        """The workbook Wagtail writes, except that the headings row is made of text cells
        like every other row. Wagtail appends the headings as bare values, and openpyxl takes
        any text that begins with "=" for a formula."""
        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title="Sheet1")
        headings = {field: self.get_heading(queryset, field) for field in self.list_export}
        worksheet.append(self.generate_xlsx_row(worksheet, headings))
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            row = self.to_row_dict(item)
            worksheet.append(self.generate_xlsx_row(worksheet, row, date_format=date_format))
        workbook.save(output)
