SELECT * FROM gcanalytics_reports.kpi_daily
