"""The eventdw dashboard: a Streamlit app over the warehouse's Parquet exports."""
