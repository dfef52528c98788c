-- The distinct non-empty values of the audience's radio/dropdown merge fields, with how many
-- members hold each, for the check against the declared choices.
-- Parameters: $audience_key, $choice_tags. Relations: {desired_merge_fields}.
select merge_tag, merge_value, count(*) as members
from {desired_merge_fields}
where audience_key = $audience_key
    and merge_tag in ($choice_tags)
    and merge_value <> ''
group by merge_tag, merge_value
order by merge_tag, merge_value;
